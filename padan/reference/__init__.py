"""Reference data: Kemendagri area codes (wilayah) and election profiles (pemilihan)."""
