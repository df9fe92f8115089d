"""Shared fixtures of the perplexity tests: encyclopedic prose to train a tiny LM on, and web junk to score.

All text here was written for this project. The module holds no tests; the perplexity test files import it.
"""

from __future__ import annotations

import random

PROSE = """\
The river rises in the northern hills and flows south for about two hundred kilometres before it reaches the sea.
Its basin covers a large part of the province and supports farming, fishing and several small towns.
In the nineteenth century the river was an important route for trade, and boats carried grain and timber to the coast.
The first bridge across the river was built in stone in the eighteenth century and is still used by pedestrians.
The town was founded as a market settlement in the twelfth century and received a royal charter soon afterwards.
During the industrial period the population of the town grew quickly as mills and workshops opened along the river.
The town hall, completed in the eighteenth century, is one of the oldest public buildings in the region.
Today the local economy is based on services, tourism and light industry, and the old mills have become museums.
The cathedral was begun in the eleventh century and was extended several times during the following centuries.
Its west front is decorated with carved figures of saints, and its tower was rebuilt after a fire in the sixteenth century.
The university was founded in the fifteenth century and is one of the oldest universities in the country.
It has faculties of law, medicine, theology and the arts, and its library holds a large collection of early printed books.
The planet is the fourth planet from the Sun and the second smallest planet in the Solar System.
It has a thin atmosphere made mostly of carbon dioxide, and its surface is covered by dust and rocks.
The planet has two small moons, which were discovered by an astronomer in the nineteenth century.
Several space missions have studied the planet from orbit, and robotic rovers have explored its surface.
The star is a main sequence star about twice as massive as the Sun and is one of the brightest stars in the night sky.
It lies in the constellation of the hunter and can be seen from most parts of the world during the winter months.
The species is a small bird that lives in forests and gardens across most of the continent.
It feeds mainly on insects in summer and on seeds and berries in winter, and it often visits bird tables.
The male has a bright red breast, while the female is duller in colour, and both sexes sing throughout the year.
The bird builds its nest in a hole in a tree or a wall, and the female lays four to six eggs in spring.
The tree is a deciduous tree that can grow to a height of forty metres and can live for several hundred years.
Its wood is hard and strong and has been used for building ships, houses and furniture since ancient times.
The leaves turn yellow and brown in autumn, and the fruit is a nut that is eaten by birds and small mammals.
The war began in the summer after a dispute over the border between the two kingdoms.
The army of the northern kingdom crossed the river and besieged the town for several months.
A peace treaty was signed two years later, and the disputed territory was divided between the two kingdoms.
The king was born in the capital and became king at the age of twelve after the death of his father.
During his reign he reformed the tax system, founded several schools and encouraged trade with neighbouring countries.
He married a princess from a neighbouring kingdom, and they had four children, two of whom became rulers.
The language is spoken by about ten million people, most of whom live in the southern part of the country.
It belongs to the same family as several other languages of the region and has a long written tradition.
The oldest texts in the language are religious works from the ninth century, written in a form of the Latin alphabet.
The painter was born in a small village and studied art in the capital before travelling to Italy.
His paintings show landscapes, rivers and the daily life of farmers, and many of them are now in national museums.
The composer wrote symphonies, operas and chamber music, and his works are still performed in many countries.
The island lies off the western coast of the country and has a population of about five thousand people.
Its economy depends on fishing, farming and tourism, and ferries connect it with the mainland several times a day.
The island has a mild climate, and its cliffs are home to large colonies of seabirds during the breeding season.
The railway line between the two cities was opened in the nineteenth century and was later extended to the coast.
The station building, designed by a local architect, is protected as a historic monument.
The mountain is the highest peak in the range and was first climbed by two local guides in the nineteenth century.
Its slopes are covered by forests up to a height of about two thousand metres, above which there are meadows and rocks.
The lake was formed at the end of the last ice age and is one of the deepest lakes in the country.
Several rivers flow into the lake, and its water is used for drinking water, irrigation and the production of electricity.
"""

# Web junk: navigation, cookie banners, shop listings and keyword stuffing, the kind perplexity sampling drops.
_JUNK_LINES = [
    "Home | About us | Contact | Login | Register | Cart (0) | Wishlist | Help",
    "We use cookies to improve your experience. Accept all cookies | Manage preferences | Privacy policy",
    "BUY NOW!!! cheap cheap cheap best price free shipping click here click here >>>",
    "SKU 4471-XL-BLK | In stock | Add to cart | Qty 1 | $19.99 $24.99 -20% | Sort by: price low to high",
    "casino bonus casino free spins casino online casino win casino jackpot casino 2022",
    "Copyright 2022 All rights reserved | Terms of use | Sitemap | Follow us on Facebook Twitter Instagram",
    "lol ok thx!!! dm me plz >>> https://bit.ly/xyz #follow #like #win #free #giveaway",
    "Page 1 2 3 4 5 ... 87 Next >> | Showing 1-24 of 2087 results | Filter: size colour brand",
]


def junk_page(seed: int, lines: int = 6) -> str:
    """A boilerplate/spam page: junk lines in a seeded random order."""
    rng = random.Random(seed)
    return "\n".join(rng.choice(_JUNK_LINES) for _ in range(lines))


def prose_page(seed: int, lines: int = 4) -> str:
    """A Wikipedia-like page: a few consecutive sentences of the prose."""
    sentences = PROSE.strip().split("\n")
    start = random.Random(seed).randrange(len(sentences) - lines)
    return "\n".join(sentences[start : start + lines])
