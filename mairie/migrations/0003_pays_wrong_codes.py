"""Remove the country rows the previous bundled pays.csv got wrong, before the 2025 file is imported.

That file (built from ISO lists) put places under a code INSEE gives to another one (Féroé under
99101, Danemark; Guernesey, Jersey and Man under 99132, Royaume-Uni; Aruba under 99135…) or
listed the members of a group INSEE codes as one territory (Anguilla… under 99425). Only rows
exactly as that file had them are removed: a table imported from INSEE's own files keeps its
rows. No registrant's data is touched: `manage.py verifier_codes_pays` lists those to check.
"""

from django.db import migrations

# (COG, LIBCOG, LIBENR, CODEISO3) as in the previous bundled file, all with ACTUAL 1.
WRONG_ROWS = [
    ("99101", "ILES FEROE", "Îles Féroé", "FRO"),
    ("99103", "ILE BOUVET", "Île Bouvet", "BVT"),
    ("99103", "SVALBARD ET ILE JAN MAYEN", "Svalbard et île Jan Mayen", "SJM"),
    ("99132", "GUERNESEY", "Guernesey", "GGY"),
    ("99132", "ILE DE MAN", "Île de Man", "IMN"),
    ("99132", "JERSEY", "Jersey", "JEY"),
    ("99135", "ARUBA", "Aruba", "ABW"),
    ("99425", "ANGUILLA", "Anguilla", "AIA"),
    ("99425", "BERMUDES", "Bermudes", "BMU"),
    ("99425", "ILES CAIMANS", "Îles Caïmans", "CYM"),
    ("99425", "MONTSERRAT", "Montserrat", "MSR"),
    ("99425", "ILES TURQUES-ET-CAIQUES", "Îles Turques-et-Caïques", "TCA"),
    ("99425", "ILES VIERGES BRITANNIQUES", "Îles Vierges britanniques", "VGB"),
    ("99427", "MALOUINES, ILES (FALKLAND)", "Malouines, Îles (Falkland)", "FLK"),
    (
        "99427",
        "GEORGIE DU SUD ET LES ILES SANDWICH DU SUD",
        "Géorgie du Sud et les îles Sandwich du Sud",
        "SGS",
    ),
    ("99432", "PORTO RICO", "Porto Rico", "PRI"),
    ("99432", "ILES VIERGES, ETATS-UNIS", "Îles Vierges, États-Unis", "VIR"),
    ("99501", "COCOS (KEELING), ILES", "Cocos (Keeling), Îles", "CCK"),
    ("99501", "CHRISTMAS, ILE", "Christmas, Île", "CXR"),
    ("99501", "ILES HEARD-ET-MACDONALD", "Îles Heard-et-MacDonald", "HMD"),
    ("99501", "ILE NORFOLK", "Île Norfolk", "NFK"),
    ("99502", "ILES COOK", "Îles Cook", "COK"),
    ("99502", "NIOUE", "Nioue", "NIU"),
    ("99502", "TOKELAU", "Tokelau", "TKL"),
    ("99505", "SAMOA AMERICAINES", "Samoa américaines", "ASM"),
    ("99505", "GUAM", "Guam", "GUM"),
    ("99505", "ILES MARIANNES DU NORD", "Îles Mariannes du Nord", "MNP"),
]


def remove_wrong_rows(apps, schema_editor) -> None:
    Pays = apps.get_model("mairie", "Pays")
    removed = []
    for code, libcog, libenr, iso3 in WRONG_ROWS:
        deleted, _ = Pays.objects.filter(
            code=code, libcog=libcog, libenr=libenr, codeiso3=iso3, actual="1", crpay=""
        ).delete()
        if deleted:
            removed.append(f"{libenr} ({code})")
    if removed:
        print(
            f"\n  Pays : {len(removed)} lignes erronées de l'ancien fichier livré supprimées "
            f"({', '.join(removed)}). Importez le fichier 2025 (manage.py import_cog --bundled) "
            "puis listez les données à vérifier (manage.py verifier_codes_pays) ; aucune donnée "
            "de recensé ni d'électeur n'a été modifiée."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("mairie", "0002_pays_crpay"),
    ]

    operations = [
        migrations.RunPython(remove_wrong_rows, migrations.RunPython.noop, elidable=True),
    ]
