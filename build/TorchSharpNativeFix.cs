// Marks version needs of TorchSharp's native library weak when the system libstdc++ lacks them
// and only never-called anchor symbols depend on them. See TorchSharpNativeFix.targets for why.
//
// This file is compiled twice: by MSBuild's RoslynCodeTaskFactory against netstandard 2.0
// reference assemblies (so no Span, BinaryPrimitives, records or init accessors), and by the
// test project (with NATIVE_FIX_TESTS defined, which leaves out the MSBuild task class so the
// tests need no MSBuild package).

#nullable enable

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace MLNet.AdamW.Build
{
    /// <summary>One vernaux entry of an ELF file's .gnu.version_r section.</summary>
    public sealed class ElfVersionNeed
    {
        public ElfVersionNeed(string file, string version, ushort flags, ushort index, int flagsOffset, IReadOnlyList<string> undefinedSymbols)
        {
            File = file;
            Version = version;
            Flags = flags;
            Index = index;
            FlagsOffset = flagsOffset;
            UndefinedSymbols = undefinedSymbols;
        }

        /// <summary>The needed library (vn_file), e.g. libstdc++.so.6.</summary>
        public string File { get; }

        /// <summary>The needed version (vna_name), e.g. GLIBCXX_3.4.32.</summary>
        public string Version { get; }

        /// <summary>vna_flags.</summary>
        public ushort Flags { get; }

        /// <summary>vna_other: the version index that .gnu.version entries refer to.</summary>
        public ushort Index { get; }

        /// <summary>File offset of the two-byte vna_flags field.</summary>
        public int FlagsOffset { get; }

        /// <summary>Undefined dynamic symbols bound to this version.</summary>
        public IReadOnlyList<string> UndefinedSymbols { get; }

        public bool IsWeak => (Flags & ElfVersionNeeds.VerFlagWeak) != 0;

        public override string ToString() => File + ":" + Version;
    }

    /// <summary>What <see cref="ElfVersionNeeds.Plan"/> decided for one library.</summary>
    public sealed class ElfPatchPlan
    {
        public ElfPatchPlan(IReadOnlyList<ElfVersionNeed> toMarkWeak, IReadOnlyList<ElfVersionNeed> alreadyWeak, IReadOnlyList<ElfVersionNeed> blocking)
        {
            ToMarkWeak = toMarkWeak;
            AlreadyWeak = alreadyWeak;
            Blocking = blocking;
        }

        /// <summary>Missing versions that only anchors use; empty when <see cref="Blocking"/> is not.</summary>
        public IReadOnlyList<ElfVersionNeed> ToMarkWeak { get; }

        /// <summary>Missing versions that a previous run (or the vendor) already made weak.</summary>
        public IReadOnlyList<ElfVersionNeed> AlreadyWeak { get; }

        /// <summary>Missing versions that real symbols need: the library cannot load here.</summary>
        public IReadOnlyList<ElfVersionNeed> Blocking { get; }

        public bool CanPatch => Blocking.Count == 0;

        public bool HasChanges => CanPatch && ToMarkWeak.Count > 0;

        /// <summary>"GLIBCXX_3.4.29 (needed by sym1, sym2); ..." for warnings.</summary>
        public string DescribeBlocking() =>
            string.Join("; ", Blocking.Select(n =>
                n.Version + " (needed by " + (n.UndefinedSymbols.Count == 0 ? "no symbol" : string.Join(", ", n.UndefinedSymbols)) + ")"));
    }

    public enum ElfPatchOutcome
    {
        NothingToDo,
        Patched,
        Blocked,
    }

    /// <summary>The result of <see cref="ElfVersionNeeds.PatchFile"/>.</summary>
    public sealed class ElfPatchFileResult
    {
        public ElfPatchFileResult(ElfPatchOutcome outcome, ElfPatchPlan plan)
        {
            Outcome = outcome;
            Plan = plan;
        }

        public ElfPatchOutcome Outcome { get; }

        public ElfPatchPlan Plan { get; }
    }

    /// <summary>
    /// A minimal ELF64 little-endian reader for GNU symbol versioning, and the decision of which
    /// version needs can safely be weakened.
    /// </summary>
    public static class ElfVersionNeeds
    {
        public const ushort VerFlagBase = 0x1;
        public const ushort VerFlagWeak = 0x2;
        public const string LibStdCxx = "libstdc++.so.6";

        private const uint ShtDynsym = 11;
        private const uint ShtGnuVerdef = 0x6ffffffd;
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const uint ShtGnuVersym = 0x6fffffff;
        private const ushort VersymHidden = 0x8000;

        /// <summary>
        /// Symbols that exist only so the linker records a version need and that no code calls:
        /// GCC 13 made every translation unit including &lt;iostream&gt; reference
        /// std::ios_base_library_init() instead of running its own static initializer. Weakening a
        /// version that only these need cannot leave a call to a missing function behind.
        /// </summary>
        public static IReadOnlyCollection<string> KnownUnusedAnchors { get; } = new[] { "_ZSt21ios_base_library_initv" };

        /// <summary>Standard library directories after LD_LIBRARY_PATH, in the loader's usual order.</summary>
        public static IReadOnlyList<string> StandardLibraryDirectories { get; } = new[]
        {
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
            "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
            "/usr/lib64", "/lib64", "/usr/lib", "/lib",
        };

        /// <summary>e_machine of an ELF64 little-endian file; the 64-byte header is enough.</summary>
        public static ushort ReadMachine(byte[] elf)
        {
            Reader.ValidateHeader(elf);
            return (ushort)(elf[18] | (elf[19] << 8));
        }

        /// <summary>e_machine of the ELF64 little-endian file at <paramref name="path"/>.</summary>
        public static ushort ReadMachine(string path) => ReadMachine(ReadHeader(path));

        /// <summary>The versions a library defines (.gnu.version_d), without the base (soname) entry.</summary>
        public static IReadOnlyList<string> ReadVersionDefinitions(byte[] elf)
        {
            var reader = new Reader(elf);
            var names = new List<string>();
            foreach (var section in reader.Sections.Where(s => s.Type == ShtGnuVerdef))
            {
                var strings = reader.Section(section.Link);
                long entry = section.Offset;
                for (uint i = 0; i < section.Info; i++)
                {
                    ushort flags = reader.U16(entry + 2);
                    uint auxOffset = reader.U32(entry + 12);
                    uint next = reader.U32(entry + 16);
                    if ((flags & VerFlagBase) == 0)
                    {
                        // The first verdaux names the version; later ones name its parents.
                        names.Add(reader.String(strings, reader.U32(entry + auxOffset)));
                    }

                    if (next == 0)
                    {
                        break;
                    }

                    entry += next;
                }
            }

            return names;
        }

        /// <summary>Every vernaux entry of .gnu.version_r, with the undefined symbols bound to it.</summary>
        public static IReadOnlyList<ElfVersionNeed> ReadVersionNeeds(byte[] elf)
        {
            var reader = new Reader(elf);
            var symbolsByIndex = UndefinedSymbolsByVersionIndex(reader);
            var needs = new List<ElfVersionNeed>();
            foreach (var section in reader.Sections.Where(s => s.Type == ShtGnuVerneed))
            {
                var strings = reader.Section(section.Link);
                long entry = section.Offset;
                for (uint i = 0; i < section.Info; i++)
                {
                    ushort count = reader.U16(entry + 2);
                    string file = reader.String(strings, reader.U32(entry + 4));
                    long aux = entry + reader.U32(entry + 8);
                    for (int j = 0; j < count; j++)
                    {
                        ushort flags = reader.U16(aux + 4);
                        ushort index = (ushort)(reader.U16(aux + 6) & ~VersymHidden);
                        string version = reader.String(strings, reader.U32(aux + 8));
                        List<string>? symbols;
                        symbolsByIndex.TryGetValue(index, out symbols);
                        needs.Add(new ElfVersionNeed(file, version, flags, index, checked((int)(aux + 4)), (IReadOnlyList<string>?)symbols ?? Array.Empty<string>()));
                        uint nextAux = reader.U32(aux + 12);
                        if (nextAux == 0)
                        {
                            break;
                        }

                        aux += nextAux;
                    }

                    uint next = reader.U32(entry + 12);
                    if (next == 0)
                    {
                        break;
                    }

                    entry += next;
                }
            }

            return needs;
        }

        /// <summary>
        /// Decides which of <paramref name="neededFile"/>'s version needs to weaken, given the
        /// versions the system's copy of that library defines.
        /// </summary>
        public static ElfPatchPlan Plan(byte[] library, ICollection<string> systemVersions, string neededFile = LibStdCxx)
        {
            var toMarkWeak = new List<ElfVersionNeed>();
            var alreadyWeak = new List<ElfVersionNeed>();
            var blocking = new List<ElfVersionNeed>();
            foreach (var need in ReadVersionNeeds(library))
            {
                if (!string.Equals(need.File, neededFile, StringComparison.Ordinal) || systemVersions.Contains(need.Version))
                {
                    continue;
                }

                if (need.IsWeak)
                {
                    alreadyWeak.Add(need);
                }
                else if (need.UndefinedSymbols.All(s => KnownUnusedAnchors.Contains(s, StringComparer.Ordinal)))
                {
                    toMarkWeak.Add(need);
                }
                else
                {
                    blocking.Add(need);
                }
            }

            // Weakening only some of the missing versions would still leave a library that cannot
            // load, now with a misleading half-patched state, so a blocked plan changes nothing.
            return new ElfPatchPlan(blocking.Count == 0 ? toMarkWeak : new List<ElfVersionNeed>(), alreadyWeak, blocking);
        }

        /// <summary>A copy of <paramref name="library"/> with the plan's version needs marked weak.</summary>
        public static byte[] Apply(byte[] library, ElfPatchPlan plan)
        {
            if (!plan.CanPatch)
            {
                throw new InvalidOperationException("Refusing to patch: missing versions are needed by real symbols: " + plan.DescribeBlocking());
            }

            var patched = (byte[])library.Clone();
            foreach (var need in plan.ToMarkWeak)
            {
                ushort flags = (ushort)(need.Flags | VerFlagWeak);
                patched[need.FlagsOffset] = (byte)flags;
                patched[need.FlagsOffset + 1] = (byte)(flags >> 8);
            }

            return patched;
        }

        /// <summary>
        /// Patches <paramref name="path"/> by replacing it with a new file, never by writing into it:
        /// the build may have made it a hard link to the NuGet cache, which must stay pristine.
        /// </summary>
        public static ElfPatchFileResult PatchFile(string path, ICollection<string> systemVersions)
        {
            string fullPath = Path.GetFullPath(path);
            string directory = Path.GetDirectoryName(fullPath) ?? ".";

            // The open handle keeps the original inode reachable after the rename, so its content
            // can be checked afterwards whatever other names (the NuGet cache) it has.
            using var original = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            byte[] bytes = ReadAll(original);
            var plan = Plan(bytes, systemVersions);
            if (!plan.CanPatch)
            {
                return new ElfPatchFileResult(ElfPatchOutcome.Blocked, plan);
            }

            if (!plan.HasChanges)
            {
                return new ElfPatchFileResult(ElfPatchOutcome.NothingToDo, plan);
            }

            byte[] patched = Apply(bytes, plan);
            DateTime lastWrite = File.GetLastWriteTimeUtc(fullPath);
            string temp = Path.Combine(directory, "." + Path.GetFileName(fullPath) + "." + Guid.NewGuid().ToString("N") + ".tmp");
            try
            {
                // File.Copy carries the permission bits over; WriteAllBytes would drop the x bit.
                File.Copy(fullPath, temp, overwrite: false);
                using (var output = new FileStream(temp, FileMode.Open, FileAccess.Write, FileShare.None))
                {
                    output.Write(patched, 0, patched.Length);
                    output.SetLength(patched.Length);
                }

                // Copy steps with SkipUnchangedFiles compare size and time: keeping both makes the
                // next build leave the patched file alone instead of relinking the pristine one.
                File.SetLastWriteTimeUtc(temp, lastWrite);

                // On Unix this is rename(2): atomic, and it only moves this directory entry.
                File.Replace(temp, fullPath, null);
            }
            finally
            {
                if (File.Exists(temp))
                {
                    File.Delete(temp);
                }
            }

            original.Position = 0;
            if (!ReadAll(original).SequenceEqual(bytes))
            {
                throw new InvalidOperationException("The original of " + fullPath + " changed while it was patched; if it is a hard link into the NuGet cache, that package is now corrupt and must be restored again.");
            }

            if (!File.ReadAllBytes(fullPath).SequenceEqual(patched))
            {
                throw new InvalidOperationException("Patched " + fullPath + " does not hold the expected bytes.");
            }

            return new ElfPatchFileResult(ElfPatchOutcome.Patched, plan);
        }

        /// <summary>
        /// The first <paramref name="fileName"/> for <paramref name="machine"/> in LD_LIBRARY_PATH and
        /// then the standard directories, or null. Approximates the loader, which also consults
        /// ld.so.cache; on the distributions this targets the standard directories cover it.
        /// </summary>
        public static string? FindSystemLibrary(string fileName, ushort machine, string? ldLibraryPath)
        {
            var directories = (ldLibraryPath ?? string.Empty)
                .Split(new[] { ':' }, StringSplitOptions.RemoveEmptyEntries)
                .Concat(StandardLibraryDirectories);
            foreach (string directory in directories)
            {
                string candidate = Path.Combine(directory, fileName);
                if (!File.Exists(candidate))
                {
                    continue;
                }

                try
                {
                    if (ReadMachine(candidate) == machine)
                    {
                        return candidate;
                    }
                }
                catch (InvalidDataException)
                {
                    // Not a usable ELF64 (e.g. a 32-bit library in /usr/lib): keep looking.
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }

            return null;
        }

        private static byte[] ReadHeader(string path)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var header = new byte[64];
            int read = 0;
            while (read < header.Length)
            {
                int n = stream.Read(header, read, header.Length - read);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            return read == header.Length ? header : header.Take(read).ToArray();
        }

        private static byte[] ReadAll(Stream stream)
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            return buffer.ToArray();
        }

        private static Dictionary<ushort, List<string>> UndefinedSymbolsByVersionIndex(Reader reader)
        {
            var result = new Dictionary<ushort, List<string>>();
            foreach (var versym in reader.Sections.Where(s => s.Type == ShtGnuVersym))
            {
                var dynsym = reader.Section(versym.Link);
                if (dynsym.Type != ShtDynsym)
                {
                    throw new InvalidDataException(".gnu.version does not link to .dynsym.");
                }

                var strings = reader.Section(dynsym.Link);
                long entrySize = dynsym.EntrySize == 0 ? 24 : (long)dynsym.EntrySize;
                long count = (long)(dynsym.Size / (ulong)entrySize);
                for (long i = 0; i < count; i++)
                {
                    long symbol = dynsym.Offset + (i * entrySize);
                    if (reader.U16(symbol + 6) != 0)
                    {
                        // Defined here (st_shndx != SHN_UNDEF): not a need on another library.
                        continue;
                    }

                    ushort index = (ushort)(reader.U16(versym.Offset + (i * 2)) & ~VersymHidden);
                    if (index <= 1)
                    {
                        // 0 is local, 1 is global/unversioned: not tied to any vernaux.
                        continue;
                    }

                    List<string>? names;
                    if (!result.TryGetValue(index, out names))
                    {
                        names = new List<string>();
                        result.Add(index, names);
                    }

                    names.Add(reader.String(strings, reader.U32(symbol)));
                }
            }

            return result;
        }

        private sealed class SectionHeader
        {
            public uint Type;
            public long Offset;
            public ulong Size;
            public uint Link;
            public uint Info;
            public ulong EntrySize;
        }

        private sealed class Reader
        {
            private readonly byte[] data;

            public Reader(byte[] data)
            {
                ValidateHeader(data);
                this.data = data;
                Machine = U16(18);
                long sectionHeaders = (long)U64(40);
                ushort sectionHeaderSize = U16(58);
                uint sectionCount = U16(60);
                if (sectionHeaders == 0)
                {
                    throw new InvalidDataException("The ELF file has no section headers.");
                }

                if (sectionHeaderSize < 64)
                {
                    throw new InvalidDataException("Unexpected ELF section header size " + sectionHeaderSize.ToString(CultureInfo.InvariantCulture) + ".");
                }

                // With 0xff00 or more sections the real count lives in section 0's sh_size.
                if (sectionCount == 0)
                {
                    sectionCount = checked((uint)ReadSectionHeader(sectionHeaders).Size);
                }

                var sections = new SectionHeader[sectionCount];
                for (uint i = 0; i < sectionCount; i++)
                {
                    sections[i] = ReadSectionHeader(sectionHeaders + ((long)i * sectionHeaderSize));
                }

                Sections = sections;
            }

            public static void ValidateHeader(byte[] data)
            {
                if (data.Length < 4 || data[0] != 0x7f || data[1] != (byte)'E' || data[2] != (byte)'L' || data[3] != (byte)'F')
                {
                    throw new InvalidDataException("Not an ELF file (no \\x7fELF magic).");
                }

                if (data.Length < 64)
                {
                    throw new InvalidDataException("Truncated ELF header.");
                }

                if (data[4] != 2 || data[5] != 1)
                {
                    throw new InvalidDataException(string.Format(CultureInfo.InvariantCulture,
                        "Only ELF64 little-endian files are supported (EI_CLASS={0}, EI_DATA={1}).", data[4], data[5]));
                }
            }

            public ushort Machine { get; }

            public SectionHeader[] Sections { get; }

            public SectionHeader Section(uint index)
            {
                if (index >= Sections.Length)
                {
                    throw new InvalidDataException("ELF section index " + index.ToString(CultureInfo.InvariantCulture) + " is out of range.");
                }

                return Sections[(int)index];
            }

            public ushort U16(long offset)
            {
                Check(offset, 2);
                return (ushort)(data[offset] | (data[offset + 1] << 8));
            }

            public uint U32(long offset)
            {
                Check(offset, 4);
                return (uint)(data[offset] | (data[offset + 1] << 8) | (data[offset + 2] << 16) | (data[offset + 3] << 24));
            }

            public ulong U64(long offset) => U32(offset) | ((ulong)U32(offset + 4) << 32);

            public string String(SectionHeader table, uint offset)
            {
                if (offset >= table.Size)
                {
                    throw new InvalidDataException("ELF string offset is outside its string table.");
                }

                long start = table.Offset + offset;
                long end = start;
                long limit = table.Offset + (long)table.Size;
                while (true)
                {
                    Check(end, 1);
                    if (end >= limit)
                    {
                        throw new InvalidDataException("Unterminated ELF string.");
                    }

                    if (data[end] == 0)
                    {
                        break;
                    }

                    end++;
                }

                return Encoding.UTF8.GetString(data, (int)start, (int)(end - start));
            }

            private SectionHeader ReadSectionHeader(long offset) => new SectionHeader
            {
                Type = U32(offset + 4),
                Offset = checked((long)U64(offset + 24)),
                Size = U64(offset + 32),
                Link = U32(offset + 40),
                Info = U32(offset + 44),
                EntrySize = U64(offset + 56),
            };

            private void Check(long offset, int length)
            {
                if (offset < 0 || offset + length > data.Length)
                {
                    throw new InvalidDataException("Truncated or corrupt ELF file: read past its end.");
                }
            }
        }
    }

#if !NATIVE_FIX_TESTS
    /// <summary>The build step: see TorchSharpNativeFix.targets.</summary>
    public class PatchTorchSharpNativeLibrary : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        public override bool Execute()
        {
            var versionsByMachine = new Dictionary<ushort, HashSet<string>?>();
            foreach (var item in Files)
            {
                string path = item.GetMetadata("FullPath");
                try
                {
                    ushort machine = ElfVersionNeeds.ReadMachine(path);
                    HashSet<string>? versions;
                    if (!versionsByMachine.TryGetValue(machine, out versions))
                    {
                        versions = SystemVersions(machine);
                        versionsByMachine.Add(machine, versions);
                    }

                    if (versions is null)
                    {
                        continue;
                    }

                    var result = ElfVersionNeeds.PatchFile(path, versions);
                    switch (result.Outcome)
                    {
                        case ElfPatchOutcome.Patched:
                            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal,
                                "TorchSharpNativeFix: marked " + string.Join(", ", result.Plan.ToMarkWeak.Select(n => n.Version)) + " weak in " + path + " (the system libstdc++ lacks it and only never-called anchors use it).");
                            break;
                        case ElfPatchOutcome.Blocked:
                            Warn("TSNATIVEFIX001",
                                "TorchSharp's native library will not load on this system: " + path + " needs libstdc++ versions that this system's " + ElfVersionNeeds.LibStdCxx + " does not define: "
                                + result.Plan.DescribeBlocking() + ". It was left unpatched; install a libstdc++ that defines them (GCC 13 or later) or use a newer distribution.");
                            break;
                        default:
                            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low,
                                "TorchSharpNativeFix: " + path + " needs no change on this system.");
                            break;
                    }
                }
                catch (InvalidOperationException e)
                {
                    // Only raised when a written file fails verification: never build on that.
                    Log.LogError("TorchSharpNativeFix: " + e.Message);
                }
                catch (Exception e) when (e is IOException || e is InvalidDataException || e is UnauthorizedAccessException)
                {
                    Warn("TSNATIVEFIX002", "could not check or patch " + path + ": " + e.Message);
                }
            }

            return !Log.HasLoggedErrors;
        }

        // A code lets a project silence these with MSBuildWarningsAsMessages.
        private void Warn(string code, string message) =>
            Log.LogWarning(null, code, null, null, 0, 0, 0, 0, "TorchSharpNativeFix: " + message);

        private HashSet<string>? SystemVersions(ushort machine)
        {
            string? library = ElfVersionNeeds.FindSystemLibrary(ElfVersionNeeds.LibStdCxx, machine, Environment.GetEnvironmentVariable("LD_LIBRARY_PATH"));
            if (library is null)
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low,
                    "TorchSharpNativeFix: no system " + ElfVersionNeeds.LibStdCxx + " for ELF machine " + machine.ToString(CultureInfo.InvariantCulture) + " found; nothing to patch against.");
                return null;
            }

            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "TorchSharpNativeFix: checking against " + library + ".");
            return new HashSet<string>(ElfVersionNeeds.ReadVersionDefinitions(File.ReadAllBytes(library)), StringComparer.Ordinal);
        }
    }
#endif
}
