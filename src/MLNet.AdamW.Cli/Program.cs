using MLNet.AdamW.Cli;

return CliApp.Run(args, Console.Out, Console.Error);
