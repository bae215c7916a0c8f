#!/usr/bin/env bash
# Exports the defaults suite's public data sets from Debian's R packages into data-cache/ (not in git).
# Run once, as root or with sudo (it installs the packages); the suite then runs offline.
# Provenance and licences: benchmarks/README.md, "The defaults suite".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="$here/data-cache"
mkdir -p "$cache"

if ! Rscript -e 'library(mlbench); library(modeldata); library(ggplot2)' >/dev/null 2>&1; then
  apt-get install -y --no-install-recommends r-base-core r-cran-mlbench r-cran-modeldata r-cran-ggplot2
fi

# Each file: a header, the label in the column "Label" (binary: true/false, multiclass: the class name,
# regression: the number), missing values as empty fields. A column whose every non-empty value is a
# number is numeric; any other column is categorical.
Rscript - "$cache" <<'R'
suppressMessages({ library(mlbench); library(modeldata); library(ggplot2) })
out <- commandArgs(trailingOnly = TRUE)[1]
put <- function(name, df, label, positive = NULL) {
  y <- df[[label]]
  df[[label]] <- NULL
  df <- as.data.frame(df)
  for (col in names(df)) if (is.factor(df[[col]])) df[[col]] <- as.character(df[[col]])
  df$Label <- if (!is.null(positive)) ifelse(as.character(y) == positive, "true", "false")
              else if (is.factor(y)) as.character(y) else y
  write.csv(df, file.path(out, paste0(name, ".csv")), row.names = FALSE, na = "")
  cat(sprintf("%-22s %6d rows, %3d features\n", name, nrow(df), ncol(df) - 1))
}
data(PimaIndiansDiabetes2); put("pima-diabetes", PimaIndiansDiabetes2, "diabetes", "pos")
data(BreastCancer); bc <- BreastCancer; bc$Id <- NULL
for (col in setdiff(names(bc), "Class")) bc[[col]] <- as.numeric(as.character(bc[[col]]))
put("breast-cancer", bc, "Class", "malignant")
data(HouseVotes84); put("house-votes-84", HouseVotes84, "Class", "republican")
data(credit_data); put("credit-data", credit_data, "Status", "bad")
data(mlc_churn); put("churn", mlc_churn, "churn", "yes")
data(Vehicle); put("vehicle", Vehicle, "Class")
data(Satellite); put("satellite", Satellite, "classes")
data(LetterRecognition); put("letter-recognition", LetterRecognition, "lettr")
data(BostonHousing); BostonHousing$chas <- as.numeric(as.character(BostonHousing$chas)); put("boston-housing", BostonHousing, "medv")
data(concrete); put("concrete", concrete, "compressive_strength")
data(ames); put("ames", ames, "Sale_Price")
data(diamonds); put("diamonds", diamonds, "price")
R
