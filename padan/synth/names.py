"""Names, birth places and addresses as people in Sulawesi Selatan carry them.

Token lists with rough weights (the first tokens of each list are the frequent ones, as
MUHAMMAD, SITI and NUR are in reality). Names are drawn vectorised: one index array per slot,
joined with pyarrow, so millions of names cost seconds. The variant functions at the bottom
(used for the DPT's spelling errors) work on single strings and are applied only to the few
rows that carry such an error.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# -- ethnic/naming groups -------------------------------------------------------------------
MAKASSAR, BUGIS, TORAJA, JAWA = 0, 1, 2, 3
GROUPS = ("MAKASSAR", "BUGIS", "TORAJA", "JAWA")

# kabupaten -> share of each naming group (MAKASSAR, BUGIS, TORAJA, JAWA)
GROUP_MIX: dict[str, tuple[float, float, float, float]] = {
    "7301": (0.70, 0.28, 0.01, 0.01),  # Selayar
    "7302": (0.45, 0.53, 0.01, 0.01),  # Bulukumba
    "7303": (0.85, 0.13, 0.01, 0.01),
    "7304": (0.92, 0.06, 0.01, 0.01),
    "7305": (0.92, 0.06, 0.01, 0.01),
    "7306": (0.88, 0.10, 0.01, 0.01),  # Gowa
    "7307": (0.10, 0.88, 0.01, 0.01),
    "7308": (0.02, 0.96, 0.01, 0.01),
    "7309": (0.55, 0.43, 0.01, 0.01),  # Maros
    "7310": (0.40, 0.58, 0.01, 0.01),  # Pangkep
    "7311": (0.03, 0.95, 0.01, 0.01),  # Barru
    "7312": (0.02, 0.96, 0.01, 0.01),  # Soppeng
    "7313": (0.02, 0.96, 0.01, 0.01),
    "7314": (0.02, 0.95, 0.02, 0.01),
    "7315": (0.02, 0.93, 0.04, 0.01),
    "7316": (0.02, 0.80, 0.17, 0.01),
    "7317": (0.02, 0.80, 0.15, 0.03),
    "7318": (0.01, 0.06, 0.92, 0.01),  # Tana Toraja
    "7322": (0.02, 0.62, 0.16, 0.20),  # Luwu Utara
    "7324": (0.02, 0.55, 0.18, 0.25),  # Luwu Timur
    "7325": (0.02, 0.70, 0.20, 0.08),
    "7326": (0.01, 0.04, 0.94, 0.01),  # Toraja Utara
    "7371": (0.52, 0.38, 0.06, 0.04),  # Makassar
    "7372": (0.05, 0.88, 0.05, 0.02),
    "7373": (0.03, 0.80, 0.14, 0.03),
}
DEFAULT_MIX = (0.30, 0.60, 0.05, 0.05)
# Share of households carrying the Andi title (Bugis/Makassar nobility), by naming group
ANDI_HOUSEHOLDS = (0.025, 0.065, 0.0, 0.0)


def _w(items: str) -> tuple[list[str], np.ndarray]:
    """``"MUHAMMAD:120 AHMAD:20 ..."`` -> tokens and normalised weights (default weight 1);
    underscores stand for spaces inside a token."""
    toks, ws = [], []
    for part in items.split():
        name, _, w = part.partition(":")
        toks.append(name.replace("_", " "))
        ws.append(float(w) if w else 1.0)
    arr = np.asarray(ws)
    return toks, arr / arr.sum()


# Muslim male first tokens (Bugis and Makassar alike)
MALE_FIRST = _w(
    "MUHAMMAD:140 ABDUL:45 AHMAD:22 MUH.:12 ANDI:0 SYAMSUDDIN:3 BAHARUDDIN:3 JAMALUDDIN:2 "
    "HASANUDDIN:3 AMIRUDDIN:2 ZAINUDDIN:2 NASRUDDIN:2 KAMARUDDIN:2 SALAHUDDIN:2 ALIMUDDIN:2 "
    "BURHANUDDIN:2 SAHABUDDIN:2 AMINUDDIN:2 NURDIN:4 SUDIRMAN:4 SYAHRIR:3 RAHMAT:5 HIDAYAT:2 "
    "ARIFIN:3 ANWAR:3 AMRAN:3 ARMAN:3 ARDI:2 ASWAR:2 SYAIFUL:3 IRWAN:4 HERMAN:4 HASBI:2 "
    "HAMZAH:3 HASAN:3 HUSAIN:2 ISMAIL:3 IBRAHIM:3 YUSUF:3 SULAIMAN:2 MUSTAFA:2 SUPARDI:2 "
    "SUKARDI:2 MAKMUR:2 MANSYUR:2 MUSLIMIN:2 MUHTAR:2 NASIR:3 RUSDI:2 SAPRI:2 TAHIR:2 "
    "USMAN:3 YAHYA:2 ZAINAL:3 AGUS:3 BUDI:2 DARMAWAN:2 SAHRUL:3 SAIFUL:2 SUARDI:2 "
    "SUHARDI:2 JUMADI:2 MURSALIM:2 ASDAR:2 SUKRI:2 JUFRI:2 KASMAN:2 RIDWAN:3 SAMSUL:3 "
    "TAMRIN:2 BACO:3 BADDU:3 BASO:3 BEDDU:2 CONDENG:1 SAMPARA:2 MAPPIASSE:1 LAHAMA:1 "
    "BATARA:1 SANGKALA:2 SALEH:2 MANSUR:2 KAHARUDDIN:2 JUMALI:1 RAMLI:2 RUSLAN:2 SYARIFUDDIN:2 "
    "NURSALAM:1 HARUN:2 HAMSAH:1 HALIM:1 ASRUL:2 ILHAM:3 FAJAR:3 AKBAR:3 ADITYA:2 "
    "RAFLI:2 FADLI:2 ARYA:2 REZKY:3 RISKI:2 ALIF:2 FAHRI:2 RAIHAN:2 DIMAS:1 ANDIKA:2 "
    "FIKRI:2 IQBAL:2 HAIKAL:1 FIRMAN:2 WAHYU:2 ARDIANSYAH:2 HARDIANSYAH:2 JUSMAN:1 "
    "SYAMSUL:3 ABBAS:2 DAHLAN:1 HAMKA:1 KADIR:2 LUKMAN:2 MUKHTAR:1 NAJAMUDDIN:1 SAHRIR:1"
)
# second tokens after ABDUL
ABDUL_SECOND = _w(
    "RAHMAN:10 RAHIM:6 HAMID:5 MALIK:5 KADIR:5 WAHAB:5 GAFFAR:4 AZIZ:4 LATIF:4 MAJID:3 "
    "HALIM:3 JALIL:3 RAZAK:4 SALAM:3 MUIS:2 KARIM:3 RAUF:3 HARIS:2 RASYID:3 MUTALIB:2 "
    "GANI:3 HAKIM:2 JABBAR:2 WAHID:3 SAMAD:2"
)
# second tokens for men (father's name or a second given name)
MALE_SECOND = _w(
    "ALI:6 AKBAR:5 RIZKY:5 FAUZAN:3 ARIF:4 FAJAR:3 ILHAM:3 SYAHRIR:2 NUR:3 AMIN:4 YUSUF:3 "
    "HIDAYAT:3 SAPUTRA:4 RAMADHAN:4 FIRDAUS:2 RIDWAN:2 SALEH:3 TAHIR:2 NASIR:3 HASAN:2 "
    "SYAMSUDDIN:2 IDRIS:2 ISMAIL:2 ARSYAD:2 ANSAR:2 ASRI:2 BASRI:2 JUFRI:2 KASIM:2 "
    "LATIF:1 MUSTARI:1 NAWIR:2 RAHMAN:3 RUSLI:2 SAID:2 TANG:1 TAUFIK:2 YASIN:2 ZAKARIA:1 "
    "ADNAN:2 AMIRULLAH:1 HAFID:2 IKHSAN:2 IRFAN:2 MAULANA:2 PRATAMA:2 SETIAWAN:1 WIJAYA:1 "
    "BACHTIAR:1 HAMZAH:1 KAMARUDDIN:1 SYUKUR:1 MAKMUR:1 ALIMUDDIN:1 SUDDIN:1 MANGGA:1"
)
FEMALE_FIRST = _w(
    "SITI:70 NUR:60 ST.:14 SITTI:10 SRI:10 HJ_SITI:0 HASNAH:4 HASNI:3 HADIJAH:4 MARLINA:3 "
    "MASNIAH:2 KASMAWATI:2 HASNAWATI:3 RAHMAWATI:4 NURMAWATI:3 SURIANI:3 SUHARTINI:2 MURNI:3 "
    "NURLINA:3 JUMRIAH:2 HAMSIAH:2 SAENAB:2 SANNANG:1 BACCE:2 CENNING:1 DAHLIA:2 FITRIANI:3 "
    "WAHYUNI:3 YULIANA:1 NURUL:5 RISKA:3 RESKI:3 AULIA:3 NADIA:2 PUTRI:4 INDAH:3 DEWI:3 "
    "AYU:2 ISMAWATI:2 MASITA:2 HERLINA:2 ERNA:2 ERNAWATI:3 SUMARNI:2 SUNARTI:2 KARTINI:2 "
    "MULIATI:2 HARTATI:2 JUMIATI:2 MARDIANA:3 HASMAWATI:2 RAHMATIA:2 MIRNAWATI:2 ASNIDAR:1 "
    "NURSIAH:2 NURHAYATI:5 NURHAEDAH:2 NURJANNAH:4 NURBAYA:2 NURAENI:3 NURHALIZA:2 "
    "MAEMUNAH:2 MARYAM:2 FATIMAH:3 AISYAH:3 SALMA:2 ROSMINI:2 ROSNAWATI:2 ROSDIANA:2 "
    "SYAMSIAH:2 BUNGA:1 HAWA:2 JUHRIAH:1 KAMSIAH:1 LISDAYANTI:1 MUSDALIFAH:2 NURFADILLAH:2 "
    "NURANISA:2 ANDI_NURUL:0 FITRI:3 SAHARIAH:1 SANIASA:1 HASRIANI:2 HUSNIATI:1 SYAMSINAR:1"
)
# after SITI/ST./SITTI
SITI_SECOND = _w(
    "AMINAH:6 HAJAR:4 FATIMAH:6 NURHALIZA:3 RAHMA:5 AISYAH:5 KHADIJAH:3 MARYAM:3 HAWA:3 "
    "SAHARA:4 ZAINAB:3 SALMA:3 NURBAYA:3 ROHANI:3 HADIJAH:4 HAJRAH:5 NURJANNAH:3 MARWAH:2 "
    "SUHRA:2 NURHAYATI:3 RAHMATIA:2 MASNAH:2 HALIMAH:3 SALEHA:2 JUMIATI:1 SAMSIAH:2 ASIAH:2"
)
# after NUR
NUR_SECOND = _w(
    "AFNI:3 AENI:4 HAYATI:6 HALIMAH:4 JANNAH:5 ASIA:3 ALAM:3 FADILLAH:4 ANISA:4 SYAMSI:2 "
    "INDAH:4 WAHIDA:3 HIDAYAH:4 AZIZAH:3 LAELA:3 AMALIA:3 ANNISA:2 FITRIANI:2 RAHMA:3 "
    "SYAFIKA:1 ILMI:2 ZAKIYAH:2 AISYAH:3 HASANAH:3 KHOFIFAH:2 MAGFIRAH:3 SAKINAH:2"
)
FEMALE_SECOND = _w(
    "WAHYUNI:3 RAHAYU:2 MULYANI:2 AMALIA:2 RAMADHANI:3 SAFITRI:3 PRATIWI:2 LESTARI:2 "
    "ANGRAENI:3 HANDAYANI:2 KURNIASIH:1 NINGSIH:2 PUSPITASARI:1 ANDRIANI:2 APRILIANI:2 "
    "FEBRIANTI:2 KHAERUNNISA:2 MAGFIRAH:2 NURSYAMSI:1 RAHMADANI:2 SARI:2 ULFA:1 UTAMI:1 "
    "ASRIANI:2 MUTMAINNAH:2 NURFITRI:1 DAMAYANTI:1 ARIANI:1 SRIWAHYUNI:0"
)
# Makassar daeng names (paddaengang), given to adults
DAENG_NAMES = _w(
    "NGALLE:4 NGAGANG:3 TALLE:3 SIJALLE:2 NGAI:3 BAU:3 TOJENG:3 RANNU:2 BELO:2 SIKKI:2 "
    "NGEPPE:2 BUNGA:2 BETA:2 SANGA:3 MANGUNG:1 LALLO:2 NGASSENG:2 JARRE:2 KULLE:2 NGUGI:1 "
    "TAYANG:1 RURUNG:1 SUTTE:1 NGINTANG:2 LOMPO:2 CAYA:3 SOMPA:2 SITABA:1 TARRING:1 NAI:2 "
    "MALLI:1 SIAMA:1 GASSING:2 TINRI:1 RATU:2 BALLE:1 KANANG:2 TANANG:1 NYOMBA:1 ROWA:1 "
    "NGITUNG:1 TOLA:1 RUPPA:1 SAMPULI:1 LIONG:1 PASANG:1 LEBANG:1"
)
# Bugis given names of the older generation (often single-word)
BUGIS_OLD = _w(
    "BACO:3 BADDU:3 BASO:3 BEDDU:2 LATANG:1 LAHAMA:1 MAPPIASSE:1 MALLOMBASI:1 PATTA:1 "
    "TAHANG:1 SOMPA:1 SENNANG:1 LACCE:1 CACO:1 PANGERANG:1 MAPPA:1 TENRI:1 KAMARU:1 "
    "BOLO:1 TALI:1 BECCE:1 SAMMENG:1 PUDDU:1 LAUSE:1 PONDING:1"
)
BUGIS_OLD_F = _w(
    "BACCE:3 CENNING:2 SANNANG:2 BECCE:2 INDO:1 TIMANG:1 CAHAYA:1 SITTI:2 SUKKE:1 "
    "MENNENG:1 BUNGA:1 HAWANG:1 PATIMANG:1 SOHRA:1 RABIAH:1 INDOTANG:1 CALLA:1 BOLLO:1"
)
TORAJA_CHRISTIAN_M = _w(
    "YOHANES:5 PETRUS:5 PAULUS:4 MARKUS:4 YOSEF:3 DANIEL:3 SAMUEL:3 YAKOB:2 MARTHEN:5 "
    "SIMON:3 ALFRIDUS:1 ALEKSANDER:2 ANDARIAS:3 ELIAS:2 DAVID:2 LUKAS:2 STEFANUS:2 FRANS:3 "
    "KORNELIUS:2 MATIUS:2 TIMOTIUS:2 YULIUS:2 YERMIAS:2 NATANAEL:1 ABRAHAM:1 YUNUS:1 "
    "AGUSTINUS:2 BENYAMIN:1 DAMIANUS:1 RONALD:1 REINALDI:1 ARNOLD:1 FRENGKI:1 YANTO:1"
)
TORAJA_CHRISTIAN_F = _w(
    "MARIA:5 YULIANA:4 MARTHA:4 SARA:3 RUTH:2 ELISABETH:3 MAGDALENA:3 KRISTINA:2 DORKAS:2 "
    "AGUSTINA:3 YOHANA:3 DEBORA:2 SERLI:1 NOVITA:2 FEBRIANTI:1 MERI:2 YANTI:2 LINCE:2 "
    "HERLINA:2 OKTAVIANA:2 ROSALINA:2 NATALIA:2 MARINI:1 LIDIA:2 RAHEL:2 ESTER:2 YUSTINA:2 "
    "FERONIKA:1 SELVI:1 MARLIN:1 MERLIN:1 DORTIA:1"
)
TORAJA_SECOND = _w(
    "SAMBO:3 PALINGGI:2 RANTE:3 TANDI:3 ALLO:3 LINGGI:2 TODING:3 PATABANG:2 BUNGA:2 "
    "LAMBE:1 SAMPE:2 TULAK:2 KOMBONG:2 RUNDUPADANG:1 PAKIDING:2 SARUNGALLO:1 PASAU:1 "
    "TANDILINO:1 PAGAU:1 PAMPANG:1 MANGALLA:2 PARINDING:2 BATTI:1 SOSANG:1 LEMBANG:1 "
    "PALIMBONG:2 TANGKE:1 MANGERA:1 TANDIRERUNG:1 RANTELINO:1 PAYUNG:1 TANGDILINTIN:1 "
    "PATIKU:1 SALEMBAN:1 LIMBONG:2 LANGI:1 BARRUNG:1 PAKALLA:1 TAPPI:1 RERUNG:1 "
    "PATANDUK:1 PASULU:1 MANGOPANG:1 KARAENG:0 PALAYUKAN:1 TIKU:1 SAMPEBUA:1 BUNTU:1"
)
JAWA_M = _w(
    "SUPRIYADI:2 SUGIANTO:2 SUPARMAN:2 SUTRISNO:2 WAGIMAN:1 SUKIMAN:1 TUKIRAN:1 SUYANTO:2 "
    "WAHYUDI:2 PURWANTO:2 SLAMET:2 SUPRAPTO:1 BAMBANG:2 JOKO:1 HARTONO:1 SUGENG:1 "
    "TRI_WAHYUDI:1 EKO_PRASETYO:1 AGUS_SALIM:1 KUSNADI:1 PAIMAN:1 SARDI:1 SUWARNO:1"
)
JAWA_F = _w(
    "SRI_WAHYUNI:2 SUMARNI:2 PARIYEM:1 SITI_MUNAWAROH:1 SRI_MULYANI:2 ENDANG:2 SUPARTI:1 "
    "SUMIATI:2 WARSINI:1 TUMINAH:1 SRI_RAHAYU:2 SUGIARTI:1 DWI_LESTARI:1 RINI:1 YATMI:1 "
    "SULASTRI:2 MUJIATI:1 SUPARMI:1 KASIYEM:1 LESTARI:1"
)
ACADEMIC = _w(
    ",_S.PD:6 ,_S.E:3 ,_S.H:2 ,_S.KM:2 ,_S.KEP:2 ,_S.SOS:3 ,_S.AG:2 ,_S.T:2 ,_SE:1 ,_S.PD.I:2 "
    ",_A.MA.PD:1 ,_S.IP:1 ,_S.KOM:1 ,_S.FARM:1"
)

# -- birth places --------------------------------------------------------------------------
# kabupaten -> ways its people write their birth place (weighted)
BIRTH_PLACES: dict[str, tuple[list[str], np.ndarray]] = {
    "7301": _w("SELAYAR:5 BENTENG:3 KEPULAUAN_SELAYAR:1"),
    "7302": _w("BULUKUMBA:6 BIRA:1 KAJANG:1 TANETE:1"),
    "7303": _w("BANTAENG:1"),
    "7304": _w("JENEPONTO:3 BONTOSUNGGU:1"),
    "7305": _w("TAKALAR:3 PATTALLASSANG:1"),
    "7306": _w("GOWA:4 SUNGGUMINASA:4 MALINO:1 LIMBUNG:1"),
    "7307": _w("SINJAI:1"),
    "7308": _w("BONE:3 WATAMPONE:2"),
    "7309": _w("MAROS:6 TURIKALE:1"),
    "7310": _w("PANGKEP:4 PANGKAJENE:3"),
    "7311": _w("BARRU:1"),
    "7312": _w("SOPPENG:4 WATANSOPPENG:3"),
    "7313": _w("WAJO:2 SENGKANG:3"),
    "7314": _w("SIDRAP:3 RAPPANG:1 PANGKAJENE_SIDRAP:1"),
    "7315": _w("PINRANG:1"),
    "7316": _w("ENREKANG:3 KALOSI:1"),
    "7317": _w("LUWU:3 BELOPA:1 PALOPO:2"),
    "7318": _w("MAKALE:4 TANA_TORAJA:4 TORAJA:1"),
    "7322": _w("MASAMBA:4 LUWU_UTARA:2 LUWU:2 SABBANG:1"),
    "7324": _w("MALILI:3 SOROWAKO:2 LUWU_TIMUR:2 LUWU:1 WOTU:1"),
    "7325": _w("LUWU:1"),
    "7326": _w("RANTEPAO:5 TANA_TORAJA:3 TORAJA_UTARA:2"),
    "7371": _w("MAKASSAR:1"),
    "7372": _w("PAREPARE:3 PARE-PARE:2"),
    "7373": _w("PALOPO:1"),
}
OUTSIDE_PLACES = _w(
    "JAKARTA:4 SURABAYA:2 KENDARI:3 PALU:2 AMBON:1 BALIKPAPAN:2 SAMARINDA:2 MAMUJU:2 "
    "POLEWALI:2 MAJENE:2 KOLAKA:2 BAUBAU:1 MANADO:1 GORONTALO:1 BANDUNG:1 YOGYAKARTA:1 "
    "SORONG:1 JAYAPURA:1 TIMIKA:1 NUNUKAN:1 TAWAU:1 BIMA:1 KUPANG:1"
)

# -- addresses ------------------------------------------------------------------------------
STREETS = _w(
    "SULTAN_ALAUDDIN:3 A.P._PETTARANI:3 URIP_SUMOHARJO:2 PERINTIS_KEMERDEKAAN:3 VETERAN:2 "
    "RATULANGI:2 SUNGAI_SADDANG:2 BONTOLANGKASA:1 BAJI_GAU:1 ABDULLAH_DG._SIRUA:2 TOLO:1 "
    "PAMPANG:1 MACCINI:1 HERTASNING:2 TAMALATE:2 MAPPANYUKKI:1 KUMALA:1 MONGINSIDI:1 "
    "SULTAN_HASANUDDIN:2 POROS:3 KH._WAHID_HASYIM:1 DR._SAM_RATULANGI:1 JEND._SUDIRMAN:2 "
    "AHMAD_YANI:2 KAKATUA:1 CENDRAWASIH:2 RAJAWALI:1 NURI:1 TODDOPULI:1 BATUA_RAYA:1 "
    "BORONG:1 ANTANG_RAYA:1 DAENG_TATA:1 MALENGKERI:1 BARAWAJA:1 TIDUNG:1 MANURUNGI:1 "
    "MANGGARUPI:1 MASJID_RAYA:1 PONEGORO:1 GUNUNG_BAWAKARAENG:1 LANDAK_BARU:1 KANDEA:1"
)
BTN = _w(
    "BTN_ANTARA:1 BTN_HARTACO_INDAH:1 BTN_TAMALANREA:2 BTN_PEPABRI:1 BTN_MINASA_UPA:2 "
    "BTN_PALLANGGA_MAS:1 BTN_GRAHA_PERMAI:1 BTN_BUMI_TAMALANREA_PERMAI:1 PERUMNAS_ANTANG:2 "
    "BTN_BARUGA:1 BTN_SAMATA_INDAH:1 BTN_ASAL_MULA:1"
)


# -- vectorised drawing ---------------------------------------------------------------------
def draw(rng: np.random.Generator, table: tuple[list[str], np.ndarray], n: int) -> pa.Array:
    """``n`` tokens drawn from a weighted list, as an Arrow string array."""
    toks, p = table
    idx = rng.choice(len(toks), size=n, p=p)
    return pc.take(pa.array(toks, pa.string()), pa.array(idx))


def _null_where(arr: pa.Array, mask: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(mask), pa.nulls(len(arr), pa.string()), arr)


def join(parts: list[pa.Array], sep: str = " ") -> pa.Array:
    """Join string arrays element-wise, skipping nulls (absent name parts).

    (pyarrow's ``null_handling="skip"`` drops whole rows in some versions, so the parts are
    folded in one by one instead.)
    """
    acc = pc.fill_null(parts[0], "")
    for part in parts[1:]:
        both = pc.binary_join_element_wise(acc, part, sep)  # null where part is null
        acc = pc.if_else(pc.is_null(part), acc, pc.if_else(pc.equal(acc, ""), part, both))
    return acc


def make_names(
    rng: np.random.Generator,
    group: np.ndarray,
    female: np.ndarray,
    age: np.ndarray,
) -> pa.Array:
    """One full name (NAMA_LGKP form, upper case) per person, vectorised by group and sex."""
    n = len(group)
    positions = np.arange(n)
    pieces: list[tuple[np.ndarray, pa.Array]] = []
    for g in range(len(GROUPS)):
        for fem in (False, True):
            sel = positions[(group == g) & (female == fem)]
            if len(sel):
                pieces.append((sel, _names_for(rng, g, fem, age[sel])))
    if not pieces:
        return pa.array([], pa.string())
    order = np.concatenate([s for s, _ in pieces])
    allnames = pa.concat_arrays([a for _, a in pieces])
    inv = np.empty(n, np.int64)
    inv[order] = np.arange(n)
    return pc.take(allnames, pa.array(inv))


def _names_for(rng: np.random.Generator, g: int, fem: bool, age: np.ndarray) -> pa.Array:
    n = len(age)
    u = rng.random((4, n))
    old = age >= 50
    if g == TORAJA:
        christian = u[0] < 0.82
        first = draw(rng, TORAJA_CHRISTIAN_F if fem else TORAJA_CHRISTIAN_M, n)
        muslim = draw(rng, FEMALE_FIRST if fem else MALE_FIRST, n)
        first = pc.if_else(pa.array(christian), first, muslim)
        second = draw(rng, TORAJA_SECOND, n)
        second = _null_where(second, u[1] < 0.12)  # single-word names
        third = _null_where(draw(rng, TORAJA_SECOND, n), u[2] > 0.10)
        return join([first, second, third])
    if g == JAWA:
        first = draw(rng, JAWA_F if fem else JAWA_M, n)
        return first
    # Bugis / Makassar (Muslim)
    if fem:
        first = draw(rng, FEMALE_FIRST, n)
        firsts = np.asarray(first.to_numpy(zero_copy_only=False))
        is_siti = np.isin(firsts, ["SITI", "ST.", "SITTI"])
        is_nur = firsts == "NUR"
        second = draw(rng, FEMALE_SECOND, n)
        second = pc.if_else(pa.array(is_siti), draw(rng, SITI_SECOND, n), second)
        second = pc.if_else(pa.array(is_nur), draw(rng, NUR_SECOND, n), second)
        need_second = is_siti | is_nur | (firsts == "SRI")
        single = (~need_second) & (u[1] < (0.55 if g == BUGIS else 0.45))
        second = _null_where(second, single)
        if g == BUGIS:
            oldname = draw(rng, BUGIS_OLD_F, n)
            use_old = old & (u[2] < 0.12)
            first = pc.if_else(pa.array(use_old), oldname, first)
            second = _null_where(second, use_old)
        andi = pa.nulls(n, pa.string())  # Andi is given by family (population.make_names)
        daeng = None
        if g == MAKASSAR:
            has_daeng = (age >= 30) & (u[2] < 0.10) & single
            daeng = _null_where(
                join([pa.array(["DAENG"] * n), draw(rng, DAENG_NAMES, n)]), ~has_daeng
            )
            andi = _null_where(andi, has_daeng)
        parts = [andi, first, second] + ([daeng] if daeng is not None else [])
        return join(parts)
    first = draw(rng, MALE_FIRST, n)
    firsts = np.asarray(first.to_numpy(zero_copy_only=False))
    is_abdul = firsts == "ABDUL"
    is_muh = np.isin(firsts, ["MUHAMMAD", "MUH.", "AHMAD"])
    second = draw(rng, MALE_SECOND, n)
    second = pc.if_else(pa.array(is_abdul), draw(rng, ABDUL_SECOND, n), second)
    second = pc.if_else(pa.array(is_muh), draw(rng, MALE_FIRST_NO_PREFIX, n), second)
    single = (~is_abdul) & (~is_muh) & (u[1] < (0.45 if g == BUGIS else 0.40))
    second = _null_where(second, single)
    third = _null_where(draw(rng, MALE_SECOND, n), u[2] > 0.06)
    if g == BUGIS:
        oldname = draw(rng, BUGIS_OLD, n)
        use_old = old & (u[2] < 0.15)
        first = pc.if_else(pa.array(use_old), oldname, first)
        second = _null_where(second, use_old & (u[1] < 0.6))
        la = pa.array(np.where(use_old & (u[3] > 0.7), "LA", None), pa.string())
        andi = pa.nulls(n, pa.string())
        return join([andi, la, first, second, third])
    andi = pa.nulls(n, pa.string())
    has_daeng = (age >= 25) & (u[3] > 0.75)
    daeng = _null_where(join([pa.array(["DAENG"] * n), draw(rng, DAENG_NAMES, n)]), ~has_daeng)
    third = _null_where(third, has_daeng)
    return join([andi, first, second, third, daeng])


# given names that may follow MUHAMMAD/AHMAD (no ABDUL/MUH. prefixes there)
MALE_FIRST_NO_PREFIX = (
    [t for t in MALE_FIRST[0] if t not in ("MUHAMMAD", "ABDUL", "AHMAD", "MUH.", "ANDI")],
    None,
)
_mf = [
    (t, w)
    for t, w in zip(MALE_FIRST[0], MALE_FIRST[1], strict=True)
    if t not in ("MUHAMMAD", "ABDUL", "AHMAD", "MUH.", "ANDI")
]
MALE_FIRST_NO_PREFIX = ([t for t, _ in _mf], np.array([w for _, w in _mf]) / sum(w for _, w in _mf))
