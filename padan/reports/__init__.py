"""Exports people open: XLSX (xlsxwriter), PDF (WeasyPrint), CSV, and burn-down charts
(Vega-Lite via Altair, rendered with vl-convert). See docs/reports.md."""
