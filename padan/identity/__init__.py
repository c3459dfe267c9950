"""Identity rules: NIK/NKK structure and reason codes (``nik``)."""
