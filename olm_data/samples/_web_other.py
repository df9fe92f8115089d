"""Non-English pages and the deliberately bad pages of the sample WARCs, written for this project.

Articles use the same dict layout and markup as ``_web_en.py``; the special pages (boilerplate, spam, short) are
described by their parts and rendered in make_sample.py.
"""

OTHER_SITES: dict[str, dict] = {
    "stadtblatt": {
        "domain": "www.stadtblatt-online.de",
        "name": "Stadtblatt Online",
        "style": "news",
        "lang": "de",
        "nav": ["Startseite", "Lokales", "Wirtschaft", "Sport", "Kultur", "Kontakt"],
        "footer": "Stadtblatt Online, unabhängige Nachrichten aus der Region. Alle Rechte vorbehalten.",
    },
    "tribune": {
        "domain": "www.la-tribune-du-sport.fr",
        "name": "La Tribune du Sport",
        "style": "news",
        "lang": "fr",
        "nav": ["Accueil", "Football", "Coupe du monde", "Rugby", "Tennis", "Vidéos"],
        "footer": "La Tribune du Sport, tous droits réservés. Mentions légales et politique de confidentialité.",
    },
    "cocina": {
        "domain": "cocinadelabuela.es",
        "name": "La Cocina de la Abuela",
        "style": "blog",
        "lang": "es",
        "nav": ["Inicio", "Recetas", "Postres", "Temporada", "Sobre mí"],
        "footer": "Recetas caseras escritas con cariño. Si compartes una receta, cita la fuente, por favor.",
    },
    "tiankong": {
        "domain": "www.tiankong-news.cn",
        "name": "天空新闻",
        "style": "news",
        "lang": "zh",
        "nav": ["首页", "航天", "科技", "社会", "图片", "关于我们"],
        "footer": "天空新闻 版权所有。未经授权，不得转载。",
    },
    "zimnik": {
        "domain": "zimnik-blog.ru",
        "name": "Зимник",
        "style": "blog",
        "lang": "ru",
        "charset": "windows-1251",
        "nav": ["Главная", "Снаряжение", "Походы", "Советы", "Контакты"],
        "footer": "Блог «Зимник»: о походах, снаряжении и холодной погоде.",
    },
}

NON_EN_ARTICLES: list[dict] = [
    {
        "key": "de-deutschlandticket",
        "lang": "de",
        "site": "stadtblatt",
        "path": "/lokales/2022/11/deutschlandticket-was-pendler-wissen-muessen",
        "title": "Deutschlandticket: Was Pendlerinnen und Pendler jetzt wissen müssen",
        "author": "Katrin Vogel",
        "published": "2022-11-24",
        "body": """
Nach langen Verhandlungen haben sich Bund und Länder Anfang November auf die Finanzierung eines bundesweiten Nahverkehrstickets geeinigt. Das sogenannte Deutschlandticket soll 49 Euro im Monat kosten und im kommenden Jahr starten. Wer es besitzt, kann damit in ganz Deutschland Busse, Straßenbahnen, U-Bahnen und Regionalzüge nutzen, aber keine Fernzüge wie den ICE.

Für viele Pendlerinnen und Pendler in unserer Region wäre das eine deutliche Ersparnis. Eine Monatskarte zwischen der Innenstadt und den Nachbargemeinden kostet heute oft mehr als achtzig Euro. Die Verkehrsbetriebe rechnen deshalb mit vielen neuen Kundinnen und Kunden, vor allem unter Berufstätigen und Studierenden.

## Offene Fragen

Noch ist nicht alles geklärt. Das Ticket soll als Abonnement verkauft werden, das monatlich kündbar ist, und vor allem digital auf dem Smartphone erhältlich sein. Viele ältere Menschen fragen sich, ob es auch eine Chipkarte oder einen Ausdruck geben wird. Außerdem warnen die Verkehrsunternehmen, dass volle Züge im Berufsverkehr schon heute ein Problem sind und mehr Fahrgäste zusätzliche Fahrzeuge und Personal erfordern.

Der genaue Starttermin steht ebenfalls noch nicht fest. Wir werden berichten, sobald die Verkehrsbetriebe den Verkauf ankündigen.
""",
    },
    {
        "key": "fr-france-australie",
        "lang": "fr",
        "site": "tribune",
        "path": "/coupe-du-monde-2022/france-australie-giroud-record",
        "title": "Coupe du monde : la France renverse l'Australie et Giroud rejoint Henry",
        "author": "Julien Moreau",
        "published": "2022-11-23",
        "body": """
Les Bleus ont parfaitement lancé la défense de leur titre mardi soir au stade Al-Janoub, en battant l'Australie quatre buts à un. Pourtant, la soirée avait mal commencé. Dès la neuvième minute, les Australiens ont ouvert le score, et quelques instants plus tôt, le défenseur Lucas Hernandez avait dû quitter la pelouse, gravement blessé au genou.

L'équipe de Didier Deschamps n'a pas paniqué. Adrien Rabiot a égalisé de la tête avant la demi-heure, puis a offert le deuxième but à Olivier Giroud quelques minutes plus tard. En seconde période, Kylian Mbappé a marqué à son tour, avant que Giroud ne signe un doublé d'une belle tête.

## Un record historique

Avec ces deux buts, l'attaquant de trente-six ans atteint cinquante et un buts en sélection et égale le record de Thierry Henry. Beaucoup d'observateurs ne l'imaginaient pas titulaire au début de la compétition, mais le forfait de Karim Benzema, blessé à la veille du tournoi, lui a offert une place de choix.

La France affrontera le Danemark samedi. Une victoire lui permettrait de se qualifier pour les huitièmes de finale dès le deuxième match.
""",
    },
    {
        "key": "es-tortilla",
        "lang": "es",
        "site": "cocina",
        "path": "/recetas/tortilla-de-patatas-jugosa",
        "title": "Cómo hacer una tortilla de patatas jugosa",
        "author": "Carmen Ruiz",
        "published": "2022-10-30",
        "body": """
La tortilla de patatas es probablemente el plato más sencillo y, a la vez, el más discutido de la cocina española. Con cebolla o sin cebolla, más hecha o más jugosa: cada familia tiene su propia opinión. En casa de mi abuela siempre se hacía con cebolla y con el centro un poco cremoso, y así os la enseño hoy.

## Ingredientes para cuatro personas

- Seis huevos grandes
- Cuatro patatas medianas
- Una cebolla
- Aceite de oliva virgen extra y sal

## Preparación

Pela las patatas y córtalas en láminas finas. Pica la cebolla y ponla en una sartén con abundante aceite a fuego medio junto con las patatas. Deja que se cocinen despacio durante unos veinte minutos, removiendo de vez en cuando, hasta que estén tiernas pero sin dorarse demasiado.

Mientras tanto, bate los huevos con una pizca de sal en un cuenco grande. Escurre bien las patatas y la cebolla, mézclalas con el huevo y deja reposar la mezcla cinco minutos. Después, vuelve a calentar la sartén con muy poco aceite, añade la mezcla y cuaja la tortilla a fuego medio. Dale la vuelta con ayuda de un plato y cocina el otro lado un minuto más. Sírvela templada, con un poco de pan y una ensalada.
""",
    },
    {
        "key": "zh-shenzhou-15",
        "lang": "zh",
        "site": "tiankong",
        "path": "/hangtian/2022/11/30/shenzhou-15-crew-handover",
        "title": "神舟十五号载人飞船发射成功 两个乘组首次在轨会师",
        "author": "李明",
        "published": "2022-11-30",
        "body": """
11月29日晚，神舟十五号载人飞船在酒泉卫星发射中心发射升空。飞船入轨后按照预定程序与空间站组合体进行自主快速交会对接。航天员费俊龙、邓清明、张陆随后进入空间站，与在轨驻留约六个月的神舟十四号乘组会面。这是中国航天员第一次在太空中实现两个乘组的在轨轮换，空间站上同时有六名航天员工作和生活。

## 空间站进入新阶段

今年下半年，问天实验舱和梦天实验舱先后与天和核心舱对接，空间站的基本构型已经完成。新乘组将在轨驻留大约半年，开展多项空间科学实验和技术试验，并完成出舱活动和设备安装等任务。

在接下来的几天里，两个乘组将进行工作交接，包括设备状态检查、实验项目交接和生活物资整理。交接完成后，神舟十四号乘组将乘坐飞船返回地面。许多网友在社交媒体上分享了六名航天员在空间站里合影的画面，称这是一个值得纪念的时刻。
""",
    },
    {
        "key": "ru-winter-boots",
        "lang": "ru",
        "site": "zimnik",
        "path": "/sovety/kak-vybrat-zimnyuyu-obuv",
        "title": "Как выбрать тёплую зимнюю обувь",
        "author": "Алексей Смирнов",
        "published": "2022-11-20",
        "body": """
Первый снег в этом году выпал рано, и многие читатели спрашивают, какую обувь купить на зиму. Правильная обувь защищает не только от холода, но и от травм на скользких тротуарах. Вот несколько простых советов, которые помогут сделать хороший выбор.

## На что обратить внимание

Во-первых, размер. Зимняя обувь должна быть немного свободнее летней, чтобы в ней поместился толстый шерстяной носок и оставался слой тёплого воздуха. Тесные ботинки мёрзнут гораздо быстрее, даже если они очень дорогие.

Во-вторых, подошва. Она должна быть толстой, мягкой на морозе и с глубоким рисунком протектора. Перед покупкой попробуйте согнуть подошву руками: если она слишком жёсткая, на льду в ней будет легко поскользнуться.

В-третьих, материал. Натуральная кожа хорошо пропускает воздух, а мембранные ботинки лучше защищают от влаги и подходят для долгих прогулок. Обязательно примерьте обувь вечером, когда ноги немного устают и становятся больше, и пройдитесь по магазину несколько минут.
""",
    },
]

TRUNCATED_ARTICLE: dict = {
    "key": "orchard-festival",
    "site": "northfield",
    "path": "/local/community-orchard-harvest-festival",
    "title": "Community orchard celebrates its first big harvest",
    "author": "Jenny Walsh",
    "published": "2022-10-03",
    "body": """
Ten years after volunteers planted forty young apple and pear trees on an unused field behind the primary school, the Northfield community orchard celebrated its largest harvest so far on Saturday. More than three hundred people came to pick fruit, press juice and listen to a local folk band playing under the trees.

The orchard was started by a group of parents who wanted children to see where food comes from. Over the years the group has grafted old local varieties that had almost disappeared from gardens in the area, including a sharp green cooking apple that was once sold at the town market every autumn.

## Juice for everyone

A borrowed press turned several hundred kilograms of apples into juice during the afternoon, and visitors took home bottles in exchange for a donation. The money will pay for new tree guards and a shed for tools. Children from the school ran a stall selling apple cake baked in their cookery lessons.

## Looking after old trees

The volunteers meet on the first Sunday of every month to prune, mow and check the trees for disease. They say they would welcome new members, especially people who can help with the heavier winter pruning. No experience is needed, and tea is provided.
""",
}

BROKEN_CHARSET_ARTICLE: dict = {
    "key": "cafe-energy-crunch",
    "site": "northfield",
    "path": "/business/cafe-owner-energy-crunch",
    "title": "A café owner on getting through the energy crunch",
    "author": "Edward Mills",
    "published": "2022-11-25",
    # The paragraphs marked LATIN1 are written as ISO-8859-1 bytes inside a page that declares UTF-8: the kind of
    # mixed encoding that a CMS produces when an old paragraph is pasted into a new template.
    "body": """
When Élodie Marchand opened her café on Market Street six years ago, the electricity bill was a small line in her accounts. This autumn it became the biggest cost after wages. Her new contract, signed in September, more than tripled the price she pays for each unit of power.

LATIN1: "I did the maths on a napkin, like every café owner does," she said, sitting by the window on a quiet Tuesday morning. "The espresso machine, the fridges and the ovens run all day. I could not simply pass the whole increase on to customers, because then nobody would come."

LATIN1: Instead she changed almost everything about the way the café works. The ovens now bake once in the early morning instead of throughout the day, the second fridge has been switched off, and the opening hours on Mondays have been shortened. A regular customer, a retired electrician, helped her replace the old lights with efficient ones.

Prices have gone up a little. A flat white now costs twenty pence more, and the menu is shorter. Most regulars have been understanding, she said, and some have started buying a coffee for a stranger to help others through the winter.

The government's support scheme for businesses will cap part of the cost until the spring, but Marchand worries about what happens after that. "I love this place," she said. "I just want to know that I can still afford to keep the lights on next year."
""",
}

WIKIPEDIA_URL_PAGE: dict = {
    "url": "https://en.wikipedia.org/wiki/Tide_pool",
    "title": "Tide pool",
    "body": """
A tide pool, also called a rock pool, is a shallow pool of seawater that forms on a rocky shore when the tide goes out. Tide pools are found in the intertidal zone, the part of the coast that is covered by the sea at high tide and exposed to the air at low tide.

The animals and plants that live in tide pools must cope with conditions that change several times a day. When the pool is cut off from the sea, the water can become warmer, saltier or less salty, and lower in oxygen than the open ocean. Waves bring fresh water and food when the tide returns, but they can also wash away anything that is not firmly attached.

Typical inhabitants include sea anemones, barnacles, mussels, limpets, periwinkles, starfish, small crabs and many kinds of seaweed. Some small fish, such as blennies, spend their whole lives in rock pools and can find their way back to the same pool after high tide.

Tide pools are popular with visitors and are often used for teaching marine biology. Conservation groups encourage people to look carefully, to return rocks to the position where they were found, and to avoid removing animals from the shore.
""",
}

BOILERPLATE_PAGES: list[dict] = [
    {
        "key": "boilerplate-metro",
        "url": "https://www.metropulse-news.com/transport/harbour-street-platform-closure",
        "site_name": "Metro Pulse",
        "title": "Harbour Street eastbound platform to close for repairs",
        # comma-separated menu labels
        "sections": (
            "News, Transport, Weather, Business, Property, Jobs, Motors, Sport, Football, Cricket, "
            "Entertainment, TV, Music, Film, Food, Travel, Health, Money, Tech, Science, Education, "
            "Opinion, Letters, Puzzles, Crosswords, Horoscopes, Dating, Offers, Competitions, Newsletters, "
            "Podcasts, Video, Photo galleries, Events, Family notices, Advertise, Contact us, About us, "
            "Careers, Subscribe"
        ),
        "content": [
            "The eastbound platform at Harbour Street station will close for repairs from Monday.",
            "Replacement buses will run every ten minutes between Harbour Street and Central until the work finishes in January.",
        ],
    },
    {
        "key": "boilerplate-shop",
        "url": "https://shop.kestrel-outdoor.com/products/insulated-flask-750ml",
        "site_name": "Kestrel Outdoor",
        "title": "Insulated steel flask 750 ml",
        # comma-separated menu labels
        "sections": (
            "New in, Men, Women, Kids, Jackets, Fleeces, Base layers, Trousers, Boots, Walking shoes, "
            "Socks, Hats, Gloves, Rucksacks, Tents, Sleeping bags, Stoves, Flasks, Bottles, Lights, "
            "Navigation, First aid, Climbing, Cycling, Running, Swimming, Sale, Gift cards, Store finder, "
            "Delivery, Returns, Help centre, Track my order, Sign in, Wish list, Basket"
        ),
        "content": [
            "This insulated flask keeps drinks hot for twelve hours and cold for a full day.",
            "It is made from recycled steel and fits most car cup holders.",
        ],
    },
]

SPAM_PAGES: list[dict] = [
    {
        "key": "spam-insurance",
        "url": "http://best-cheap-car-insurance-quotes-online.biz/cheap-car-insurance-quotes.html",
        "title": "Cheap Car Insurance Quotes | Cheap Car Insurance | Best Cheap Car Insurance Quotes Online",
        # keyword stuffing: the same phrases shuffled into every line
        "keywords": [
            "cheap car insurance",
            "cheap car insurance quotes",
            "best cheap car insurance",
            "car insurance quotes online",
            "cheap auto insurance",
            "compare cheap car insurance",
            "instant car insurance quotes",
        ],
        "lines": 40,
    },
    {
        "key": "spam-prize",
        "url": "http://winner-prize-claim-today.info/claim.php?id=88213",
        "title": "CONGRATULATIONS!!! YOU ARE TODAY'S LUCKY WINNER",
        # the same lines repeated over and over
        "repeat": [
            "CONGRATULATIONS you are today's lucky winner!!! Click here to claim your prize now!!!",
            "Limited time offer, claim your free gift card before it expires!!!",
            "100% free, no credit card needed, click the button below!!!",
        ],
        "times": 25,
    },
]

SHORT_PAGES: list[dict] = [
    {
        "key": "short-coming-soon",
        "url": "https://www.willowmere-pottery.co.uk/",
        "title": "Willowmere Pottery",
        "text": "Coming soon. New website launching in January.",
    },
    {
        "key": "short-thank-you",
        "url": "https://www.harbourlightyoga.com/contact/thank-you",
        "title": "Thank you",
        "text": "Thank you! Your message has been sent.",
    },
]
