"""Reporting: imports, validation rules, workflow and imputation of enterprise reports."""
