"""The French surnames and first names of the demo and benchmark data of every module, which
follow the rule of names (`mairie.names`)."""

NOMS = [
    "MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS", "MOREAU",
    "LAURENT", "SIMON", "MICHEL", "LEFÈVRE", "LEROY", "ROUX", "DAVID", "BERTRAND", "MOREL",
    "FOURNIER", "GIRARD", "BONNET", "DUPONT", "LAMBERT", "FONTAINE", "ROUSSEAU", "VINCENT",
    "MÜLLER", "LEFEBVRE", "FAURE", "ANDRÉ", "MERCIER", "BLANC", "GUÉRIN", "BOYER", "GARNIER",
    "CHEVALIER", "FRANÇOIS", "LEGRAND", "GAUTHIER", "GARCIA", "PERRIN", "ROBIN", "CLÉMENT",
    "MORIN", "NICOLAS", "HENRY", "ROUSSEL", "MATHIEU", "MASSON", "MARCHAND", "DUVAL", "DENIS",
    "DUMONT", "LEMAIRE", "NOËL", "MEYER", "DUFOUR", "MEUNIER", "BRUN", "BLANCHARD", "JOLY",
    "RIVIÈRE", "BRUNET", "GAILLARD", "BARBIER", "LE GOFF", "LE GALL", "LE ROUX", "KERBRAT",
    "LE BIHAN", "GUILLOU", "SANTONI", "ALBERTINI", "PAOLI", "CASANOVA", "N'DIAYE", "DA SILVA",
    "DOS SANTOS", "BENALI", "NGUYEN", "SAINT-JEAN", "D'ALMEIDA", "LE MOAL-PRIGENT",
]  # fmt: skip

# (first year of birth, masculine first names, feminine first names), oldest generation first.
PRENOMS_PAR_GENERATION = [
    (
        1900,
        [
            "Jean", "Pierre", "André", "René", "Marcel", "Louis", "Roger", "Henri", "Georges",
            "Joseph", "Maurice", "Robert", "Lucien", "Raymond", "Marius", "Ange-Marie",
        ],
        [
            "Marie", "Jeanne", "Yvonne", "Madeleine", "Suzanne", "Marguerite", "Germaine",
            "Odette", "Simone", "Denise", "Paulette", "Renée", "Marie-Thérèse", "Lucienne",
        ],
    ),
    (
        1946,
        [
            "Michel", "Alain", "Bernard", "Gérard", "Daniel", "Patrick", "Jacques", "Claude",
            "Philippe", "Jean-Pierre", "Jean-Claude", "Serge", "Christian", "Guy", "Yves",
        ],
        [
            "Monique", "Françoise", "Martine", "Nicole", "Catherine", "Christiane", "Danielle",
            "Brigitte", "Annie", "Sylvie", "Évelyne", "Chantal", "Josiane", "Marie-Claude",
        ],
    ),
    (
        1966,
        [
            "Christophe", "Stéphane", "Laurent", "Frédéric", "Olivier", "Éric", "Thierry",
            "Pascal", "Sébastien", "Nicolas", "David", "Franck", "Jérôme", "Jean-François",
            "Yannick", "Hervé",
        ],
        [
            "Nathalie", "Isabelle", "Valérie", "Sandrine", "Véronique", "Sophie", "Céline",
            "Karine", "Christelle", "Stéphanie", "Virginie", "Corinne", "Anne-Sophie", "Gaëlle",
        ],
    ),
    (
        1986,
        [
            "Thomas", "Kévin", "Julien", "Maxime", "Alexandre", "Quentin", "Romain", "Anthony",
            "Florian", "Guillaume", "Mathieu", "Lucas", "Hugo", "Théo", "Enzo", "Loïc", "Mehdi",
        ],
        [
            "Julie", "Laura", "Marine", "Camille", "Manon", "Pauline", "Émilie", "Élodie",
            "Mélanie", "Sarah", "Léa", "Chloé", "Océane", "Inès", "Maëlle", "Anaïs",
        ],
    ),
]  # fmt: skip


def prenoms_of_generation(year: int) -> tuple[list[str], list[str]]:
    """(masculine, feminine) first names given in the year of birth `year`."""
    chosen = PRENOMS_PAR_GENERATION[0]
    for generation in PRENOMS_PAR_GENERATION:
        if year >= generation[0]:
            chosen = generation
    return chosen[1], chosen[2]
