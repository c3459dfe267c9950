"""The numbers behind the synthetic data: sizes, e-KTP status rates and the DPT error model.

Every rate here is documented in ``docs/synth.md`` and written to ``manifest.json`` so that a
tuning or scoring run knows what it was given. Rates of DPT errors are fractions of DPT rows
(of the rows a given error can apply to, where stated).
"""

from __future__ import annotations

import datetime as dt

# Approximate DPT size of each Pilkada 2020 region of Sulsel (total ~3.39 M).
REAL_DPT: dict[str, int] = {
    "7371": 880_000,  # Kota Makassar
    "7306": 540_000,  # Gowa
    "7302": 300_000,  # Bulukumba
    "7309": 250_000,  # Maros
    "7310": 240_000,  # Pangkajene dan Kepulauan
    "7322": 220_000,  # Luwu Utara
    "7324": 200_000,  # Luwu Timur
    "7318": 170_000,  # Tana Toraja
    "7326": 170_000,  # Toraja Utara
    "7312": 170_000,  # Soppeng
    "7311": 130_000,  # Barru
    "7301": 100_000,  # Kepulauan Selayar
}
# Population of Sulsel's other kabupaten/kota (2020 census, rounded): they are in the
# provincial register extract but hold no Pilkada, so nobody there is in the DPT.
OTHER_POPULATION: dict[str, int] = {
    "7303": 200_000,
    "7304": 400_000,
    "7305": 300_000,
    "7307": 260_000,
    "7308": 800_000,
    "7313": 380_000,
    "7314": 320_000,
    "7315": 400_000,
    "7316": 225_000,
    "7317": 365_000,
    "7372": 150_000,
    "7373": 185_000,
}

SCALES: dict[str, int] = {"kecil": 30_000, "sedang": 300_000, "provinsi": 3_390_000}

# The register is the provincial extract: residents of the chosen regions (about 1.5 people
# per voter) plus people elsewhere in Sulsel, ~2.8 register rows per DPT row in all.
REGISTER_PER_VOTER = 2.8

FIRST_SNAPSHOT = dt.date(2020, 11, 18)

# -- e-KTP status at the first snapshot --------------------------------------------------------
# Share of DPT voters not recorded (UNREGISTERED) on 18 Nov 2020: 80,459 of ~3.39 M.
UNRECORDED_DPT = 0.0237
# Relative odds of being unrecorded by age on election day (17-year-olds record far less).
UNRECORDED_AGE_FACTOR = {17: 14.0, 18: 5.0, 19: 2.2, 20: 1.5}
# Relative unrecorded rate per kabupaten (uneven coverage); re-normalised to UNRECORDED_DPT.
KAB_UNRECORDED_FACTOR: dict[str, float] = {
    "7371": 1.35,
    "7306": 1.10,
    "7302": 0.80,
    "7309": 0.90,
    "7310": 1.05,
    "7322": 1.20,
    "7324": 1.00,
    "7318": 1.40,
    "7326": 1.45,
    "7312": 0.55,
    "7311": 0.60,
    "7301": 0.75,
}
# Recorded but failed (GAGAL_REKAM) among adults, and how the failures split.
FAILED_RATE = 0.0030
FAILURE_CODES = {
    "ENROLL_FAILURE_AT_CENTRAL": 0.35,
    "SEARCH_FAILURE_AT_CENTRAL": 0.20,
    "ENROLL_FAILURE_AT_REGIONAL": 0.20,
    "DUPLICATE_RECORD": 0.25,
}
# Recorded states and their shares among recorded people (long-recorded people are issued).
RECORDED_CODES = {
    "CARD_ISSUED": 0.880,
    "PRINT_READY_RECORD": 0.060,
    "CARD_PRINTED": 0.012,
    "CARD_SHIPPED": 0.008,
    "SENT_FOR_ENROLLMENT": 0.020,
    "RECEIVED_AT_CENTRAL": 0.005,
    "PROCESSING": 0.005,
    "BIO_CAPTURED": 0.010,
}
STATUS_REKAM = {
    "UNREGISTERED": "BELUM_REKAM",
    "BELUM REKAM": "BELUM_REKAM",
    **{c: "GAGAL_REKAM" for c in FAILURE_CODES},
    **{c: "SUDAH_REKAM" for c in RECORDED_CODES},
    "SUDAH REKAM": "SUDAH_REKAM",
}

# -- recording campaign after the first snapshot ------------------------------------------------
# Share of the unrecorded voters of each kabupaten who record by the deadline (8 Dec): some
# regions are on track for zero, some are not.
CAMPAIGN_REACH: dict[str, float] = {
    "7371": 0.72,
    "7306": 0.85,
    "7302": 0.97,
    "7309": 0.93,
    "7310": 0.80,
    "7322": 0.66,
    "7324": 0.90,
    "7318": 0.60,
    "7326": 0.58,
    "7312": 0.99,
    "7311": 0.98,
    "7301": 0.94,
}
CAMPAIGN_REACH_OTHER = 0.25  # unrecorded adults outside the DPT record less eagerly
FAILURE_RESOLVED = 0.45  # share of failures resolved by the deadline
NEW_RECORDS_PER_DAY = 0.00004  # new register records per day, per register row

# -- DPT composition -----------------------------------------------------------------------------
MISSING_FROM_DPT = 0.02  # eligible residents left out of the DPT

# -- DPT error model (fractions of DPT rows) ----------------------------------------------------
# NIK errors are mutually exclusive on one row; other errors combine freely with them.
ERROR_RATES: dict[str, float] = {
    "NIK_SALAH_KETIK": 0.010,  # one digit mistyped
    "NIK_TUKAR_DIGIT": 0.003,  # two neighbouring digits transposed
    "NKK_SEBAGAI_NIK": 0.003,  # the family card number typed as NIK
    "NIK_KELUARGA": 0.002,  # another household member's NIK
    "NIK_KOSONG": 0.003,  # NIK blank
    "NIK_DISAMARKAN": 0.002,  # 10 of 16 digits masked with '*'
    "NIK_ORANG_LAIN": 0.001,  # the NIK of an unrelated person of the same desa
    "NAMA_VARIASI": 0.100,  # spelling variant of the name (see NAME_VARIANTS)
    "NAMA_LAIN": 0.004,  # another name the person goes by (daeng name, nickname)
    "TGL_PLACEHOLDER": 0.012,  # DPT birth date replaced by a placeholder
    "TGL_PLACEHOLDER_REGISTER": 0.008,  # register birth date is the placeholder, DPT true
    "TGL_TUKAR": 0.005,  # day and month swapped in the DPT
    "TGL_SALAH_KETIK": 0.005,  # year, month or day mistyped in the DPT
    "TEMPAT_VARIASI": 0.030,  # birth place written differently
    "GANDA": 0.003,  # the person is listed a second time at another TPS (rate per person)
    "TIDAK_DI_REGISTER": 0.005,  # voter with no register record at all
    "DOMISILI_BEDA": 0.015,  # moved: the register has another household, address and desa
    "NKK_KOSONG": 0.005,  # NKK blank in the DPT
    "JK_SALAH": 0.001,  # sex wrong in the DPT
}
NIK_ERRORS = (
    "NIK_SALAH_KETIK",
    "NIK_TUKAR_DIGIT",
    "NKK_SEBAGAI_NIK",
    "NIK_KELUARGA",
    "NIK_KOSONG",
    "NIK_DISAMARKAN",
    "NIK_ORANG_LAIN",
)
# How NAMA_VARIASI splits into kinds (falls back to a typo when a kind does not apply).
NAME_VARIANTS = {
    "SINGKATAN": 0.34,  # MUHAMMAD->MUH./MOH./M., ABDUL->ABD., ANDI->A., DAENG->DG., SITI->ST.
    "GELAR": 0.14,  # H./HJ./DRS. or academic title added, or the register's title dropped
    "EJAAN_LAMA": 0.07,  # old spelling: U->OE, J->DJ, C->TJ, Y->J
    "SALAH_KETIK": 0.25,  # one letter wrong, doubled, dropped or two swapped
    "SPASI": 0.12,  # words joined or split (NURHAYATI / NUR HAYATI)
    "KATA_HILANG": 0.08,  # a word (often the daeng name) left out
}
PLACEHOLDER_KINDS = {"31-12": 0.40, "01-07": 0.30, "01-01": 0.20, "15": 0.10}
# Natural placeholders: people born before 1970 whose date in both sources is one.
NATURAL_PLACEHOLDER_OLD = 0.08
