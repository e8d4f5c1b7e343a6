"""Helpers shared by the command-line tests: CSV files, and running a command in the test's process."""

import csv

from skneural.cli import main


def run(argv, capsys):
    """(stdout, stderr) of a command that must succeed."""
    status = main(argv)
    captured = capsys.readouterr()
    assert status == 0, captured.err
    return captured.out, captured.err


def fails(argv, capsys):
    """(stderr, stdout) of a command that must fail with one line of error and status 1."""
    status = main(argv)
    captured = capsys.readouterr()
    assert status == 1 and captured.err.count("\n") == 1 and captured.err.startswith("skneural: error: "), \
        captured.err
    return captured.err, captured.out


def write_csv(path, header, rows, delimiter=","):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)
