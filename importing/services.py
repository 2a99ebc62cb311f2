"""Importing one file of the previous software outside the admin (the `import_legacy`
command), with the same resources, checks and all-or-nothing rule as the admin's pages."""

from dataclasses import dataclass, field

from import_export.results import Result, RowResult

from importing.formats import read_dataset
from importing.resources import RESOURCES


@dataclass
class Summary:
    """What an import did (or, in a dry run, would do) to a file's rows."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list = field(default_factory=list)  # the row results, with `line` and `reasons`
    file_errors: list[str] = field(default_factory=list)  # the file as a whole (columns…)

    @property
    def ok(self) -> bool:
        return not (self.rejected or self.file_errors)


def summarize(result: Result) -> Summary:
    totals = result.totals
    return Summary(
        created=totals[RowResult.IMPORT_TYPE_NEW],
        updated=totals[RowResult.IMPORT_TYPE_UPDATE],
        unchanged=totals[RowResult.IMPORT_TYPE_SKIP],
        rejected=[row for row in result.rows if getattr(row, "rejected", False)],
        file_errors=[str(error.error) for error in result.base_errors],
    )


def import_file(kind: str, data: bytes, *, dry_run: bool = False, user=None) -> Result:
    """Imports the file `data` of `kind` (a key of RESOURCES). Nothing is written in a dry
    run, nor when any row is rejected: the whole file is rolled back. Raises UnreadableFile
    when the file cannot be read as CSV."""
    dataset = read_dataset(data)
    resource = RESOURCES[kind]()
    return resource.import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
        user=user,
    )
