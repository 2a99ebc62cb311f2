"""Importing the CSV exports of the centre's previous software (families, responsables,
students, enrolments) with django-import-export: docs/import.md."""
