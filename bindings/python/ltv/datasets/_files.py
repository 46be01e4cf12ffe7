# SPDX-License-Identifier: Apache-2.0
"""The data files ltv.datasets loads: their names in the package and where they are in the
source tree. Plain data without imports, also read by setup.py, which copies these files (and
the attribution files) into the wheel's ``ltv/datasets/data/``."""

#: file name -> path relative to the repository root
FILES = {
    "cdnow_customers_summary.csv": "tests/data/cdnow_customers_summary.csv",
    "cdnow_customers_summary_with_transactions.csv": (
        "tests/data/cdnow_customers_summary_with_transactions.csv"
    ),
    "example_transactions.csv": "tests/data/example_transactions.csv",
    "donations.csv": "tests/data/donations.csv",
    "CDNOW_sample.txt": "tests/data/CDNOW_sample.txt",
    "CDNOW_master.txt": "examples/data/CDNOW_master.txt",
}

#: attribution copied beside the data files: name in the package -> path in the repository
NOTICES = {
    "SOURCES-tests-data.md": "tests/data/SOURCES.md",
    "SOURCES-examples-data.md": "examples/data/SOURCES.md",
}

#: folders of the source tree searched for a file not listed above (load_dataset, path)
SOURCE_FOLDERS = ("tests/data", "examples/data")
