"""Wikitext for the sample Wikipedia dump, written for this project (not copied from Wikipedia).

``PAGES`` is in page-id order: make_sample.py assigns increasing ids in this order. Each entry has ``title``, ``ns``,
``timestamp`` (revision time), ``user`` and either ``text`` or ``redirect`` (the target title).
"""

PAGES: list[dict] = [
    {
        "title": "Tide pool",
        "ns": 0,
        "timestamp": "2022-09-14T08:21:37Z",
        "user": "Quillwort",
        "comment": "expand Ecology section, add refs",
        "text": """{{Short description|Pool of seawater left on a rocky shore at low tide}}
{{Use dmy dates|date=September 2022}}
[[File:Rock pool with anemones.jpg|thumb|right|upright=1.2|A rock pool with [[sea anemone]]s and [[coralline algae]] at low tide]]
A '''tide pool''' or '''rock pool''' is a shallow pool of [[seawater]] that remains on a rocky [[shore]] when the [[tide]] goes out. Tide pools occur in the [[intertidal zone]], the strip of coast that is submerged at high tide and exposed to the air at low tide, and they are home to communities of organisms adapted to rapidly changing conditions.<ref name="nybakken">{{cite book |last=Nybakken |first=James |title=Marine Biology: An Ecological Approach |publisher=Benjamin Cummings |year=2001 |edition=5th}}</ref>

== Formation ==
Rock pools form wherever the shape of the shore traps water as the sea retreats. Common causes include natural hollows in [[bedrock]], cracks widened by [[weathering]], and depressions scoured by stones rolled around by waves. Pools higher on the shore are filled only by the highest [[spring tide]]s or by spray during storms, and they can remain isolated for days.

== Conditions ==
Life in a tide pool is shaped by the length of time it is cut off from the sea. During a warm afternoon low tide, the water in a small pool can become several degrees warmer than the open sea, and evaporation raises its [[salinity]]. Heavy rain has the opposite effect, diluting the pool with fresh water. At night, [[photosynthesis]] stops while animals continue to respire, so the concentration of dissolved [[oxygen]] can fall sharply before the tide returns.<ref name="nybakken" />

{| class="wikitable"
|+ Typical zones of a rocky shore
! Zone !! Exposure !! Characteristic organisms
|-
| Splash zone || Wetted only by spray || [[Lichen]]s, [[periwinkle]]s
|-
| Upper shore || Covered by the highest tides || [[Barnacle]]s, channelled wrack
|-
| Middle shore || Covered twice a day || [[Mussel]]s, [[limpet]]s, [[sea anemone]]s
|-
| Lower shore || Exposed only at the lowest tides || [[Kelp]], [[starfish]], [[sea urchin]]s
|}

== Ecology ==
The organisms of tide pools show many adaptations to these stresses. [[Limpet]]s clamp down on the rock and seal in moisture with their shells, while sea anemones withdraw their tentacles and cover themselves in a layer of mucus. Some small fish, such as the [[shanny]] and other [[blenny|blennies]], remain in pools throughout their lives and can return to the same pool after being displaced by waves.<ref>{{cite journal |last=Example |first=R. |title=Homing behaviour in intertidal fishes |journal=Example Journal of Fish Biology |year=1999 |volume=54 |pages=101–110}}</ref>

Competition for space on the rock is intense. Classic field experiments showed that removing a single [[predator]], such as a starfish, can allow one species of mussel to take over and greatly reduce the number of other species living in the pool. This led to the idea of the [[keystone species]].

== Human use and conservation ==
Rock pooling is a popular activity for families and school groups, and many coastal nature reserves organise guided visits. Visitors are encouraged to return rocks to their original position, to avoid collecting animals and to watch the incoming tide.<ref>{{cite web |url=https://www.example-coastal-trust.org.uk/rockpooling-code |title=The Rockpooling Code |publisher=Coastal Trust |access-date=2 September 2022}}</ref>

== See also ==
* [[Intertidal ecology]]
* [[Rocky shore]]

== References ==
{{Reflist}}

[[Category:Intertidal ecology]]
[[Category:Coastal geography]]
[[Category:Marine biology]]""",
    },
    {
        "title": "Tidepool",
        "ns": 0,
        "timestamp": "2019-05-02T17:44:10Z",
        "user": "Harrowgate",
        "comment": "redirect to [[Tide pool]]",
        "redirect": "Tide pool",
    },
    {
        "title": "Sourdough",
        "ns": 0,
        "timestamp": "2022-06-30T19:05:12Z",
        "user": "Bakehouse Betty",
        "comment": "/* Starter */ copyedit",
        "text": """{{Short description|Bread made by fermentation with wild yeast and lactic acid bacteria}}
{{Infobox food
| name = Sourdough
| image = Sourdough loaf crumb.jpg
| caption = A sourdough loaf cut to show its open crumb
| type = [[Bread]]
| main_ingredient = [[Flour]], [[water]], [[salt]], sourdough starter
}}
'''Sourdough''' is [[bread]] made by the [[fermentation]] of dough using a culture of wild [[yeast]] and [[lactic acid bacteria]], known as a ''starter'' or ''leaven'', instead of commercially produced baker's yeast. The acids produced by the bacteria give the bread its characteristic mildly sour taste and help it keep for longer than most yeasted bread.<ref name="gaenzle">{{cite journal |last=Gänzle |first=Michael |title=Enzymatic and bacterial conversions during sourdough fermentation |journal=Food Microbiology |year=2014 |volume=37 |pages=2–10}}</ref>

== History ==
Leavened bread has been made for thousands of years, and for most of that time all leavened bread was in some sense sourdough, because bakers relied on wild yeasts captured from flour and the air. Bakers kept back a piece of each day's dough to start the next batch. The spread of commercial baker's yeast in the 19th and 20th centuries made bread production faster and more predictable, and sourdough baking declined in many countries before a revival among home and artisan bakers from the late 20th century.

Sourdough became closely associated with [[San Francisco]] during the [[California Gold Rush]], and "sourdough" was used as a nickname for experienced prospectors in the [[Yukon]] and [[Alaska]], who carried starters with them to bake bread in remote camps.

== Starter ==
{{Main|Sourdough starter}}
A starter is made by mixing flour and water and leaving the mixture to ferment, feeding it with fresh flour and water at regular intervals. Over about a week, a stable community of microorganisms develops. Studies of starters from many countries have found that each contains a small number of dominant yeast species and a larger variety of bacteria, mostly of the genus ''[[Lactobacillus]]'' and related genera.<ref name="gaenzle" />

The balance between yeasts and bacteria depends on temperature, hydration and the type of flour. Warm, wet starters tend to favour [[lactic acid]], which gives a milder, creamier flavour, while cooler and stiffer starters produce more [[acetic acid]], which tastes sharper.

== Baking ==
A typical sourdough process takes much longer than baking with commercial yeast. The dough may rise for several hours at room temperature and is often left to ferment slowly overnight in a refrigerator, a step called ''retarding''. The long fermentation develops flavour and breaks down part of the [[starch]] and [[gluten]] in the flour.

* '''Levain''' – a portion of starter built up the day before baking
* '''Autolyse''' – a rest after mixing flour and water, before salt and starter are added
* '''Bulk fermentation''' – the first rise of the whole dough
* '''Proof''' – the final rise of the shaped loaf

== In popular culture ==
Interest in sourdough rose sharply during the [[COVID-19 lockdowns]] of 2020, when many people baked at home and shortages of commercial yeast were reported in several countries.<ref>{{cite news |title=Why is everyone baking bread? |work=The Example Gazette |date=12 April 2020 |url=https://www.example-gazette.com/food/lockdown-baking}}</ref>

== References ==
{{Reflist}}

[[Category:Sourdough breads]]
[[Category:Fermented foods]]""",
    },
    {
        "title": "Fresnel lens",
        "ns": 0,
        "timestamp": "2021-11-02T10:12:55Z",
        "user": "Lampwright",
        "comment": "add table of lens orders",
        "text": """{{Short description|Compact lens made of concentric sections, used in lighthouses}}
[[File:Fresnel lens first order.jpg|thumb|A first-order Fresnel lens on display in a maritime museum]]
A '''Fresnel lens''' ({{IPAc-en|f|r|ei|'|n|e|l}} {{respell|fray|NEL}}) is a type of compact [[lens (optics)|lens]] made of a series of concentric sections. By removing most of the material that a conventional lens would need, it can have a large [[aperture]] and short [[focal length]] while remaining much thinner and lighter. It was designed by the French physicist [[Augustin-Jean Fresnel]] for use in [[lighthouse]]s, and it allowed their beams to be seen much further out to sea.<ref name="levitt">{{cite book |last=Levitt |first=Theresa |title=A Short Bright Flash: Augustin Fresnel and the Birth of the Modern Lighthouse |publisher=W. W. Norton |year=2013}}</ref>

== Design ==
A conventional [[convex lens]] bends light mainly at its curved surface, so most of the glass inside it does little except add weight. Fresnel divided the surface into a central lens surrounded by rings of [[prism]]s. Each ring has the same surface angle as the corresponding part of a thick lens, but without the bulk behind it. Outer rings that reflect light by [[total internal reflection]] capture rays that would otherwise escape above or below the beam.

== History ==
Fresnel presented his design in 1822, and the first Fresnel lens was installed in the [[Cordouan Lighthouse]] at the mouth of the [[Gironde]] estuary in 1823. Observers reported that its light was far brighter than that of the mirrors it replaced. Within a few decades, Fresnel lenses had been fitted to lighthouses around the world. Many remained in use well into the 20th century, and a number still operate today.

== Orders ==
Lighthouse lenses were classified into ''orders'' by their focal length, the distance from the light source to the lens.

{| class="wikitable sortable"
! Order !! Focal length !! Typical use
|-
| First || {{convert|920|mm|in|abbr=on}} || Major coastal lights
|-
| Second || {{convert|700|mm|in|abbr=on}} || Coastal lights
|-
| Third || {{convert|500|mm|in|abbr=on}} || Lights in bays and large lakes
|-
| Fourth || {{convert|250|mm|in|abbr=on}} || Harbour entrances
|-
| Fifth || {{convert|187.5|mm|in|abbr=on}} || Piers and breakwaters
|-
| Sixth || {{convert|150|mm|in|abbr=on}} || Small harbour lights
|}

== Other uses ==
Flat plastic Fresnel lenses are now made cheaply by moulding. They are used in overhead projectors, in the headlamps and rear windows of vehicles, as magnifiers for reading, in stage lighting, and to concentrate sunlight in some [[solar power]] systems.<ref name="levitt" />

== See also ==
* [[Lighthouse]]
* [[Lens (optics)]]

== References ==
{{Reflist}}

[[Category:Lenses]]
[[Category:Lighthouses]]
[[Category:French inventions]]""",
    },
    {
        "title": "Beekeeping",
        "ns": 0,
        "timestamp": "2022-04-19T06:48:03Z",
        "user": "Heatherbell",
        "comment": "/* Modern hives */ clarify bee space",
        "text": """{{Short description|Maintenance of bee colonies by humans}}
[[File:Beekeeper inspecting a frame.jpg|thumb|A beekeeper inspecting a frame of [[honeycomb]]]]
'''Beekeeping''' or '''apiculture''' is the care of colonies of [[bee]]s, usually [[honey bee]]s, in man-made [[beehive|hives]]. Beekeepers collect [[honey]], [[beeswax]] and other products, and many keep colonies to [[pollination|pollinate]] crops. A place where bees are kept is called an ''apiary''.

== History ==
People collected honey from wild bee nests long before they kept bees. Rock paintings in Spain show people gathering honey from cliffs. Bees were kept in hives made from clay pipes, logs, baskets and woven straw called ''skeps'' in many ancient societies, including [[Ancient Egypt|Egypt]], where hives were moved along the [[Nile]] on boats to follow the flowering of crops.

In traditional hives the comb was attached to the walls, and harvesting honey often meant destroying part or all of the colony. Modern beekeeping began in the 19th century with hives in which each comb is built in a removable wooden frame.

== Modern hives ==
In 1852 the American clergyman [[Lorenzo Langstroth]] patented a hive based on his observation that bees leave open a gap of a particular width between combs, now called the ''bee space''. Gaps smaller than this are sealed with [[propolis]], and larger gaps are filled with new comb. By spacing frames at exactly the bee space, Langstroth made it possible to lift out each comb without damaging it.<ref name="crane">{{cite book |last=Crane |first=Eva |title=The World History of Beekeeping and Honey Hunting |publisher=Routledge |year=1999}}</ref> Variations of his design remain the most common hives in the world.

== Colony life ==
A honey bee colony usually contains a single queen, tens of thousands of female worker bees and, in summer, a few hundred male drones. Workers change tasks as they age, cleaning cells and feeding larvae when young and later foraging for [[nectar]], [[pollen]] and water. Colonies reproduce by [[swarming (honey bee)|swarming]], when the old queen leaves with part of the workforce to find a new home.

Beekeepers inspect their colonies regularly during the active season to check that the queen is laying, that the colony has enough food and space, and that there are no signs of disease.

== Threats ==
Colonies face a number of threats, including the parasitic mite ''[[Varroa destructor]]'', which spread around the world during the 20th century, bacterial diseases such as [[American foulbrood]], [[pesticide]]s, poor nutrition where flowers are scarce, and unusual weather. Losses over winter are monitored by national surveys in many countries.<ref>{{cite web |url=https://www.example-beekeeping-survey.org/winter-losses-2021 |title=Winter colony losses 2020–21 |publisher=Example Beekeeping Survey |date=June 2021 |access-date=10 April 2022}}</ref>

== Products ==
* [[Honey]]
* [[Beeswax]]
* [[Propolis]]
* [[Royal jelly]]
* [[Pollen]]

== References ==
{{Reflist}}

[[Category:Beekeeping| ]]
[[Category:Agriculture]]""",
    },
    {
        "title": "Basalt",
        "ns": 0,
        "timestamp": "2020-12-07T14:30:41Z",
        "user": "Stratigrapher",
        "comment": "add infobox",
        "text": """{{Short description|Fine-grained volcanic rock}}
{{Infobox rock
| name = Basalt
| image = Columnar basalt coast.jpg
| caption = Columnar jointing in a basalt lava flow
| type = [[Igneous rock|Igneous]]
| composition = [[Plagioclase]], [[pyroxene]], sometimes [[olivine]]
}}
'''Basalt''' is a dark, fine-grained [[igneous rock]] formed from the rapid cooling of [[lava]] rich in [[magnesium]] and [[iron]] and relatively poor in [[silica]]. It is the most common volcanic rock on Earth and makes up most of the [[oceanic crust]]. Basalt is also widespread on the [[Moon]], where it forms the dark plains called [[lunar mare|maria]], and on [[Mars]] and [[Venus]].<ref name="usgs">{{cite web |url=https://www.example-geology.gov/rocks/basalt |title=Basalt |publisher=Example Geological Survey |access-date=1 December 2020}}</ref>

== Composition ==
Basalt typically contains between about 45 and 52 percent silica by weight. Its main minerals are [[plagioclase]] [[feldspar]] and [[pyroxene]], with [[olivine]] in some varieties. Because the lava cools quickly at or near the surface, the crystals are usually too small to see without a microscope. When the same magma cools slowly deep underground, it forms the coarse-grained rock [[gabbro]].

Basalt has a density of about {{convert|3|g/cm3|lb/cuft|abbr=on}}, higher than that of [[granite]], which is one reason oceanic crust sits lower than continental crust.

== Formation ==
Most basalt forms at [[mid-ocean ridge]]s, where the [[tectonic plate]]s pull apart and magma rises from the [[mantle (geology)|mantle]] to create new sea floor. It also erupts at [[hotspot (geology)|hotspots]] such as [[Hawaii]] and [[Iceland]], and in vast outpourings known as [[flood basalt]]s, which covered large parts of what is now India and Siberia in the geological past.

== Columnar jointing ==
As a thick lava flow cools and contracts, it can crack into regular columns, most often with five or six sides. Famous examples include the [[Giant's Causeway]] in Northern Ireland and [[Fingal's Cave]] in Scotland. The size of the columns depends on how quickly the lava cooled.<ref name="usgs" />

== Uses ==
Crushed basalt is used as [[construction aggregate]] for roads and railway ballast. It has been used as a building stone for thousands of years, and it can be melted and spun into mineral fibre for insulation. In recent years researchers have also studied basalt as a place to store [[carbon dioxide]], which reacts with the rock to form stable [[carbonate mineral]]s.

== References ==
{{Reflist}}

[[Category:Basalt| ]]
[[Category:Volcanic rocks]]""",
    },
    {
        "title": "Compost",
        "ns": 0,
        "timestamp": "2022-03-22T11:09:26Z",
        "user": "Heatherbell",
        "comment": "/* Process */ temperatures",
        "text": """{{Short description|Decomposed organic matter used to improve soil}}
__NOTOC__
'''Compost''' is a mixture of ingredients, mainly decomposed plant material and food waste, that is used to improve the structure and fertility of [[soil]]. It is made by allowing [[microorganism]]s, [[fungus|fungi]] and small animals such as [[earthworm]]s to break down [[organic matter]] under controlled conditions. The process is called '''composting'''.<ref name="epa">{{cite web |url=https://www.example-environment.gov/recycle/composting-at-home |title=Composting at home |publisher=Example Environment Agency |access-date=15 March 2022}}</ref>

== Ingredients ==
Composters often divide materials into two groups. ''Greens'', such as grass clippings, vegetable peelings and coffee grounds, are rich in [[nitrogen]]. ''Browns'', such as dry leaves, straw, cardboard and wood chips, are rich in [[carbon]]. A mix with roughly 25 to 30 times as much carbon as nitrogen by weight decomposes most efficiently. Too much green material makes a wet, smelly heap, while too much brown material breaks down very slowly.

Meat, dairy products and cooked food are often left out of home compost bins because they can attract rats and other pests, although they can be processed safely in well-managed industrial facilities.

== Process ==
Composting proceeds in stages. At first, bacteria that thrive at moderate temperatures consume the easily digested sugars and proteins, and the heap warms up. In a large, well-built heap the centre can then reach {{convert|55|to|65|C|F}}, a stage in which heat-loving bacteria dominate and most weed seeds and disease organisms are killed. As the food supply runs out, the heap cools, and fungi, insects and worms finish the work, producing a dark, crumbly material that smells of earth.

Turning the heap adds [[oxygen]] and speeds up decomposition. A heap that is turned regularly can be ready in two or three months, while an untended heap may take a year or more.

== Methods ==
* '''Heap or bin composting''' – the most common method in gardens
* '''[[Vermicomposting]]''' – using worms, often indoors in small containers
* '''[[Bokashi]]''' – fermenting kitchen waste in a sealed bucket before burying it
* '''Industrial composting''' – large windrows or enclosed vessels run by councils and companies

== Benefits ==
Adding compost to soil increases its ability to hold water and nutrients, supports soil life and improves the structure of both sandy and clay soils. Composting also keeps organic waste out of [[landfill]], where it would decompose without oxygen and release [[methane]], a powerful [[greenhouse gas]].<ref name="epa" />

== References ==
{{Reflist}}

[[Category:Composting| ]]
[[Category:Gardening]]
[[Category:Waste management]]""",
    },
    {
        "title": "Heat pump",
        "ns": 0,
        "timestamp": "2022-10-05T21:17:48Z",
        "user": "Thermocline",
        "comment": "/* Adoption */ update for 2022",
        "text": """{{Short description|Device that transfers heat from a colder place to a warmer one}}
{{Use British English|date=October 2022}}
[[File:Air source heat pump outdoor unit.jpg|thumb|The outdoor unit of an air source heat pump]]
A '''heat pump''' is a device that uses [[work (physics)|work]], usually supplied as electricity, to move [[heat]] from a colder place to a warmer one. Heat pumps are used to heat buildings and water, and many can also run in reverse to provide [[air conditioning|cooling]]. A [[refrigerator]] is a familiar example of the same principle used for cooling.<ref name="iea">{{cite web |url=https://www.example-energy-agency.org/reports/future-of-heat-pumps |title=The Future of Heat Pumps |publisher=Example Energy Agency |date=November 2022 |access-date=4 October 2022}}</ref>

== Operation ==
Most heat pumps use the [[vapor-compression refrigeration|vapour-compression cycle]]. A [[refrigerant]] with a low boiling point circulates in a closed loop. In the outdoor [[heat exchanger]] it evaporates, absorbing heat from the air, ground or water even when they are cold. A [[compressor]] then raises the pressure and temperature of the vapour, which gives up its heat as it condenses in a second heat exchanger inside the building. An expansion valve lowers the pressure again and the cycle repeats.

== Efficiency ==
The efficiency of a heat pump is expressed as its [[coefficient of performance]] (COP), the ratio of heat delivered to electrical energy used. Because it moves heat instead of generating it, a heat pump can have a COP of three or more, meaning it delivers three units of heat for each unit of electricity. The COP falls as the temperature difference between source and destination grows, so heat pumps are most efficient in well-insulated buildings with large radiators or [[underfloor heating]] that work at low water temperatures.

{| class="wikitable"
! Type !! Heat source !! Notes
|-
| Air source || Outdoor air || Cheapest to install; most common type
|-
| Ground source || Soil or rock, through buried pipes || Higher and more stable efficiency; needs land or a borehole
|-
| Water source || Lake, river or well || Limited to suitable sites
|-
| Exhaust air || Warm air leaving the building || Often combined with ventilation
|}

== Adoption ==
Heat pumps have long been common in [[Norway]], [[Sweden]] and [[Finland]], despite cold winters. Sales grew strongly in many European countries in 2022, when high [[natural gas]] prices following the [[2022 Russian invasion of Ukraine]] made alternatives to gas boilers more attractive, and several governments offered grants for installation.<ref name="iea" /> Because they run on electricity, heat pumps produce much lower [[greenhouse gas emissions]] than fossil fuel boilers when the electricity comes from low-carbon sources.

== See also ==
* [[Geothermal heat pump]]
* [[District heating]]

== References ==
{{Reflist}}

[[Category:Heat pumps| ]]
[[Category:Heating, ventilation, and air conditioning]]""",
    },
    {
        "title": "Talk:Heat pump",
        "ns": 1,
        "timestamp": "2022-10-06T09:02:11Z",
        "user": "Cobblestone Jay",
        "comment": "/* COP figures */ reply",
        "text": """{{Talk header}}
{{WikiProject banner shell|class=B|
{{WikiProject Energy|importance=High}}
{{WikiProject Technology}}
}}

== COP figures ==
The article says a heat pump can have a COP of "three or more". Should we add seasonal figures as well? The seasonal performance factor is what most buyers actually see on a quote. [[User:Cobblestone Jay|Cobblestone Jay]] ([[User talk:Cobblestone Jay|talk]]) 18:40, 5 October 2022 (UTC)
:Good idea, but we need a reliable source that compares them across countries. I will look for one in the agency report. [[User:Thermocline|Thermocline]] ([[User talk:Thermocline|talk]]) 21:20, 5 October 2022 (UTC)
::Agreed. Let's keep it short, a sentence and a footnote. [[User:Cobblestone Jay|Cobblestone Jay]] ([[User talk:Cobblestone Jay|talk]]) 09:02, 6 October 2022 (UTC)

== Image of outdoor unit ==
Is there a better photo than the current one? It is quite dark. [[Special:Contributions/203.0.113.45|203.0.113.45]] 12:15, 1 August 2022 (UTC)""",
    },
    {
        "title": "Repair café",
        "ns": 0,
        "timestamp": "2022-10-24T16:55:02Z",
        "user": "Cobblestone Jay",
        "comment": "update numbers",
        "text": """{{Short description|Meeting where volunteers help people repair household items}}
{{Infobox organization
| name = Repair Café International Foundation
| founded = 2011
| founder = [[Martine Postma]]
| location = [[Amsterdam]], Netherlands
| type = Non-profit foundation
| website = {{URL|repaircafe.example.org}}
}}
A '''repair café''' is a regular meeting at which people bring broken household items, such as clothes, furniture, electrical appliances, bicycles and toys, and repair them together with volunteers who have the necessary skills. Repair cafés are usually free to attend, rely on donations, and are held in community centres, libraries, church halls and similar public spaces.<ref name="postma">{{cite book |last=Example |first=Jo |title=The Repair Café Handbook |publisher=Example Press |year=2015}}</ref>

== History ==
The first repair café was organised by the journalist Martine Postma in [[Amsterdam]] on 18 October 2009. Its success led to the creation in 2011 of a foundation that supports local groups with advice, a starter kit and a shared logo. The idea spread quickly through the Netherlands, Belgium and Germany and then to the rest of Europe, North America and beyond. By 2022 more than two thousand repair cafés were registered around the world.<ref name="postma" />

== Organisation ==
Each repair café is run independently by local volunteers. A typical event lasts a few hours and includes tables for different kinds of repair, such as electrical items, textiles, bicycles and computers. Visitors are expected to take part in the repair rather than simply hand over their item, which allows them to learn how things work. Volunteers usually keep a simple record of each item, whether it was repaired, and why not if the repair failed.

== Aims ==
The movement has several aims:
# reducing waste, especially [[electronic waste]];
# teaching practical repair skills;
# building contact between neighbours of different ages and backgrounds;
# showing manufacturers and policymakers the common reasons that products fail.

== Relationship to the right to repair ==
Data collected by repair cafés has been used by campaigners for a [[right to repair]], who argue that products should be designed to be opened and fixed, and that spare parts and repair information should be available at a reasonable price. The [[European Union]] adopted [[ecodesign]] rules in 2019 requiring spare parts for some appliances to be available for several years.<ref>{{cite web |url=https://www.example-eu-policy.org/ecodesign-repair |title=Ecodesign and the right to repair |publisher=Example Policy Institute |date=2021 |access-date=20 October 2022}}</ref>

== See also ==
* [[Tool library]]
* [[Circular economy]]

== References ==
{{Reflist}}

[[Category:Repair]]
[[Category:Recycling]]
[[Category:Organizations established in 2009]]""",
    },
    {
        "title": "Double Asteroid Redirection Test",
        "ns": 0,
        "timestamp": "2022-11-09T13:41:29Z",
        "user": "Perihelion",
        "comment": "/* Results */ period change confirmed",
        "text": """{{Short description|NASA mission to test asteroid deflection by kinetic impact}}
{{Use dmy dates|date=November 2022}}
{{Infobox spaceflight
| name = Double Asteroid Redirection Test
| image = DART spacecraft illustration.jpg
| image_caption = Illustration of DART approaching its target
| mission_type = [[Planetary defense]] technology demonstration
| operator = [[NASA]] / [[Applied Physics Laboratory]]
| launch_date = 24 November 2021, 06:21 UTC
| launch_rocket = [[Falcon 9]] Block 5
| launch_site = [[Vandenberg Space Force Base|Vandenberg]] SLC-4E
| disposal_type = Deliberate impact
| decay_date = 26 September 2022, 23:14 UTC
}}
The '''Double Asteroid Redirection Test''' ('''DART''') was a [[NASA]] space mission that tested whether a spacecraft could change the path of an [[asteroid]] by crashing into it. On 26 September 2022 the spacecraft struck '''[[Dimorphos]]''', a small moon of the asteroid [[65803 Didymos|Didymos]], at a speed of about {{convert|6.1|km/s|mi/s|abbr=on}}. It was the first time humans had deliberately changed the motion of a natural object in space.<ref name="nasa-result">{{cite press release |url=https://www.example-nasa-news.gov/dart-impact-changed-asteroid-motion |title=DART impact changed the motion of an asteroid |publisher=NASA |date=11 October 2022}}</ref>

== Background ==
Most asteroids that cross the orbit of the Earth are too small to cause serious harm, but larger ones could devastate a region or more. One proposed defence is the ''kinetic impactor'': hitting a threatening asteroid with a spacecraft years before a predicted collision, so that a small change in its speed grows into a large change in its position. Didymos and Dimorphos were chosen because they pose no danger to Earth, and because Dimorphos orbits Didymos, which allows a change in its motion to be measured from Earth by watching the pair dim as one passes in front of the other.

== Spacecraft ==
DART had a mass of about {{convert|580|kg|lb}} at impact. It navigated to its target autonomously during the last hours of the flight, using images from its single camera, DRACO. It carried a small Italian [[CubeSat]], [[LICIACube]], which was released two weeks before the impact and flew past Dimorphos afterwards to photograph the plume of debris.

== Results ==
Before the impact, Dimorphos completed one orbit of Didymos every 11 hours and 55 minutes. Observations by telescopes on Earth showed that the impact shortened the orbit by approximately 32 minutes, far more than the minimum of 73 seconds that had been set as the measure of success.<ref name="nasa-result" /> Material ejected from the surface gave an additional push, and images from the [[Hubble Space Telescope]] and the [[James Webb Space Telescope]] showed a tail of debris thousands of kilometres long.

{| class="wikitable"
|+ Key numbers
! Quantity !! Value
|-
| Diameter of Didymos || about {{convert|780|m|ft|abbr=on}}
|-
| Diameter of Dimorphos || about {{convert|160|m|ft|abbr=on}}
|-
| Orbital period before impact || 11 h 55 min
|-
| Change in orbital period || about −32 min
|}

== Follow-up ==
The [[European Space Agency]] mission [[Hera (space mission)|Hera]] is planned to visit the system later in the decade to study the crater and measure the mass of Dimorphos.

== References ==
{{Reflist}}

[[Category:Planetary defense]]
[[Category:NASA space probes]]
[[Category:Spacecraft launched in 2021]]""",
    },
    {
        "title": "DART (spacecraft)",
        "ns": 0,
        "timestamp": "2021-11-24T07:03:58Z",
        "user": "Perihelion",
        "comment": "redirect",
        "redirect": "Double Asteroid Redirection Test",
    },
    {
        "title": "James Webb Space Telescope",
        "ns": 0,
        "timestamp": "2022-11-18T20:26:14Z",
        "user": "Perihelion",
        "comment": "/* Science */ trim",
        "text": """{{Short description|Space telescope launched in 2021}}
{{Use dmy dates|date=July 2022}}
{{Infobox spaceflight
| name = James Webb Space Telescope
| image = JWST mirror segments.jpg
| image_caption = The primary mirror during testing
| mission_type = [[Astronomy]]
| operator = [[NASA]] / [[European Space Agency|ESA]] / [[Canadian Space Agency|CSA]]
| launch_date = 25 December 2021, 12:20 UTC
| launch_rocket = [[Ariane 5]] ECA
| launch_site = [[Guiana Space Centre]]
| orbit_reference = [[Lagrange point|Sun–Earth L2]]
| telescope_diameter = {{convert|6.5|m|ft|abbr=on}}
}}
The '''James Webb Space Telescope''' ('''JWST''') is a [[space telescope]] designed to observe mainly in [[infrared]] light. It is the largest optical telescope in space, and its sensitivity allows it to study some of the most distant and oldest [[galaxy|galaxies]], the formation of stars and planets, and the [[atmosphere]]s of [[exoplanet]]s. It is an international collaboration led by NASA with the European and Canadian space agencies.<ref name="esa">{{cite web |url=https://www.example-esa.int/webb/overview |title=Webb overview |publisher=ESA |access-date=20 July 2022}}</ref>

== Design ==
The telescope's primary mirror is made of 18 [[hexagon]]al segments of gold-plated [[beryllium]], which together measure {{convert|6.5|m|ft}} across. The mirror was too large to fit inside any rocket fairing, so it was folded for launch and unfolded in space. A five-layer [[sunshield]] about the size of a tennis court keeps the instruments in permanent shade, where they cool to below {{convert|50|K|C}}, cold enough to detect faint infrared light without being blinded by their own heat.

=== Instruments ===
* '''NIRCam''' – near-infrared camera
* '''NIRSpec''' – near-infrared spectrograph
* '''MIRI''' – mid-infrared instrument
* '''NIRISS''' and '''FGS''' – imager, slitless spectrograph and fine guidance sensor

== Launch and commissioning ==
JWST was launched on 25 December 2021 on an [[Ariane 5]] rocket from [[Kourou]] in [[French Guiana]]. Over the following weeks it completed a complex sequence of deployments, including the sunshield and the mirror, and arrived in orbit around the [[Lagrange point|second Lagrange point]], about {{convert|1.5|e6km|e6mi|abbr=off}} from Earth, in January 2022. The precision of the launch left enough propellant for an expected science lifetime of well over ten years.

== Science ==
The first full-colour images were released on 11 and 12 July 2022. They included a deep field of the galaxy cluster [[SMACS J0723.3–7327|SMACS 0723]], views of the [[Carina Nebula]], [[Stephan's Quintet]] and the [[Southern Ring Nebula]], and a spectrum of the giant exoplanet [[WASP-96b]] showing water vapour.<ref name="esa" /> Within weeks, astronomers reported candidate galaxies seen as they were only a few hundred million years after the [[Big Bang]].

== References ==
{{Reflist}}

[[Category:James Webb Space Telescope| ]]
[[Category:Space telescopes]]
[[Category:Spacecraft launched in 2021]]""",
    },
    {
        "title": "JWST",
        "ns": 0,
        "timestamp": "2021-12-25T13:10:44Z",
        "user": "Harrowgate",
        "comment": "redirect",
        "redirect": "James Webb Space Telescope",
    },
    {
        "title": "2021 Suez Canal obstruction",
        "ns": 0,
        "timestamp": "2022-03-23T08:15:00Z",
        "user": "Tidewaiter",
        "comment": "one year on",
        "text": """{{Short description|Blockage of the Suez Canal by the container ship Ever Given}}
{{Use dmy dates|date=March 2021}}
{{Infobox event
| title = 2021 Suez Canal obstruction
| image = Ever Given aground illustration.png
| date = 23–29 March 2021
| location = [[Suez Canal]], Egypt
| cause = Grounding of the container ship ''[[Ever Given]]''
| outcome = Canal closed for six days; ship refloated
}}
From 23 to 29 March 2021, the [[Suez Canal]] in [[Egypt]] was blocked for six days after the [[container ship]] '''''Ever Given''''' ran aground and became wedged across the waterway. The ship, one of the largest container ships in the world at about {{convert|400|m|ft}} long, was travelling north from Asia to [[Rotterdam]] when it was hit by strong winds during a [[sandstorm]].<ref name="scanews">{{cite news |url=https://www.example-shipping-news.com/ever-given-refloated |title=Ever Given refloated after six days |work=Example Shipping News |date=29 March 2021}}</ref>

== Grounding ==
At about 07:40 local time on 23 March, the ship veered off course and its bow became lodged in the eastern bank of the canal while its stern was stuck near the western bank. Because the southern part of the canal has only one lane, no other ships could pass in either direction.

== Refloating ==
[[Tugboat]]s and [[dredging|dredgers]] worked for several days to free the ship. Excavators dug around the bow, and more than {{convert|30000|m3|cuft}} of sand was removed. With the help of a [[spring tide]], the ship was partly refloated early on 29 March and pulled free later that day. It was moved to the [[Great Bitter Lake]] for inspection.

== Impact ==
During the blockage, several hundred ships gathered at both ends of the canal, carrying goods ranging from oil and grain to livestock and consumer products. Some shipping companies sent vessels around the [[Cape of Good Hope]] instead, adding about two weeks to the voyage. Analysts estimated that goods worth billions of dollars were held up each day.<ref name="scanews" /> The queue was cleared on 3 April.

The event drew attention to the fragility of [[supply chain]]s that were already strained by the [[COVID-19 pandemic]], and the image of a tiny excavator beside the enormous ship spread widely on social media.

== Aftermath ==
The [[Suez Canal Authority]] held the ship in the canal while it sought compensation from the owners. An agreement was reached in July 2021, and the ship left the canal on 7 July. In 2021 the authority announced plans to widen and deepen the southern section of the canal.

== References ==
{{Reflist}}

[[Category:2021 in Egypt]]
[[Category:Suez Canal]]
[[Category:Maritime incidents in 2021]]""",
    },
    {
        "title": "SARS-CoV-2 Omicron variant",
        "ns": 0,
        "timestamp": "2022-08-02T15:33:09Z",
        "user": "Serology",
        "comment": "/* Subvariants */ add BA.4 and BA.5",
        "text": """{{Short description|Variant of SARS-CoV-2 first reported in November 2021}}
{{Use dmy dates|date=August 2022}}
The '''Omicron variant''' ('''B.1.1.529''') is a [[variants of SARS-CoV-2|variant]] of [[SARS-CoV-2]], the virus that causes [[COVID-19]]. It was first reported to the [[World Health Organization]] (WHO) by scientists in [[South Africa]] on 24 November 2021, and on 26 November the WHO designated it a [[variant of concern]] and named it after the fifteenth letter of the [[Greek alphabet]].<ref name="who">{{cite web |url=https://www.example-who.int/news/omicron-classification |title=Classification of Omicron (B.1.1.529) |publisher=World Health Organization |date=26 November 2021 |access-date=1 August 2022}}</ref>

== Characteristics ==
Omicron carried an unusually large number of [[mutation]]s, more than thirty of them in the [[spike protein]] that the virus uses to enter human cells. Many of these changes affected the parts of the protein recognised by [[antibodies]], which helped the variant to infect people who had been vaccinated or previously infected.

Studies in several countries found that Omicron infections were, on average, less likely to lead to hospital admission than infections with the earlier [[SARS-CoV-2 Delta variant|Delta variant]], partly because of immunity in the population and partly because the variant appeared to replicate less efficiently in lung tissue.<ref name="lancet">{{cite journal |last=Example |first=A. |title=Comparative severity of Omicron and Delta infections |journal=Example Journal of Medicine |year=2022 |volume=12 |pages=45–53}}</ref>

== Spread ==
Omicron spread around the world with extraordinary speed and became the dominant variant in most countries within weeks. Case numbers reached record levels in December 2021 and January 2022. Although severe illness was less frequent per infection, the very large number of cases put heavy pressure on health services, and staff absences caused disruption in hospitals, schools and transport.

== Subvariants ==
{| class="wikitable"
! Lineage !! First widely reported !! Notes
|-
| BA.1 || November 2021 || Drove the first Omicron wave
|-
| BA.2 || Early 2022 || More transmissible than BA.1
|-
| BA.4 and BA.5 || Spring 2022 || Caused waves in mid-2022
|}

Scientists in South Africa and [[Botswana]] were praised for sharing genetic sequences quickly, but several countries imposed travel restrictions on southern Africa soon after the announcement, a decision that the WHO and many researchers criticised as unfair to the countries that had raised the alarm.

== Vaccines ==
Vaccine protection against infection was lower against Omicron than against earlier variants, but booster doses restored much of the protection against severe disease. In the second half of 2022 several regulators authorised updated [[bivalent vaccine|bivalent]] boosters that target both the original virus and Omicron.<ref name="who" />

== References ==
{{Reflist}}

[[Category:SARS-CoV-2 variants]]
[[Category:COVID-19 pandemic]]""",
    },
    {
        "title": "2022 FIFA World Cup",
        "ns": 0,
        "timestamp": "2022-11-26T22:48:51Z",
        "user": "Goalline Tech",
        "comment": "/* Group stage */ results",
        "text": """{{Short description|22nd FIFA World Cup, held in Qatar}}
{{Use dmy dates|date=November 2022}}
{{Infobox international football competition
| tourney_name = FIFA World Cup
| year = 2022
| other_titles = كأس العالم لكرة القدم 2022
| country = [[Qatar]]
| dates = 20 November – 18 December
| num_teams = 32
| confederations = 5
| venues = 8
| cities = 5
}}
The '''2022 FIFA World Cup''' is the 22nd [[FIFA World Cup]], the quadrennial international [[association football|football]] championship contested by the men's national teams of the member associations of [[FIFA]]. It is being held in [[Qatar]] from 20 November to 18 December 2022, the first World Cup held in the [[Arab world]] and the second held entirely in Asia, after the [[2002 FIFA World Cup|2002 tournament]] in South Korea and Japan.<ref name="fifa">{{cite web |url=https://www.example-fifa.com/qatar2022/schedule |title=Match schedule |publisher=FIFA |access-date=20 November 2022}}</ref>

== Host selection ==
Qatar was chosen as host by the FIFA Executive Committee on 2 December 2010, defeating bids from the United States, South Korea, Japan and Australia. The decision was controversial from the start, and questions about the bidding process, the treatment of [[migrant worker]]s building the infrastructure and the summer heat continued for more than a decade.

== Scheduling ==
Because daytime temperatures in Qatar in June and July often exceed {{convert|40|C|F}}, the tournament was moved to the northern winter. It is the first World Cup not held in May, June or July, and major European leagues paused their seasons in mid-November. It is also the last tournament with 32 teams before the expansion to 48 teams in [[2026 FIFA World Cup|2026]].

== Venues ==
All eight stadiums are within about {{convert|55|km|mi}} of central [[Doha]], the most compact World Cup in modern history.

{| class="wikitable sortable"
! Stadium !! City
|-
| [[Lusail Stadium]] || [[Lusail]]
|-
| [[Al Bayt Stadium]] || [[Al Khor]]
|-
| [[Stadium 974]] || [[Doha]]
|-
| [[Al Thumama Stadium]] || [[Doha]]
|-
| [[Khalifa International Stadium]] || [[Al Rayyan]]
|-
| [[Education City Stadium]] || [[Al Rayyan]]
|-
| [[Ahmad bin Ali Stadium]] || [[Al Rayyan]]
|-
| [[Al Janoub Stadium]] || [[Al Wakrah]]
|}

== Group stage ==
The tournament opened at the Al Bayt Stadium on 20 November with a 2–0 win for [[Ecuador national football team|Ecuador]] over the hosts. On 22 November, [[Saudi Arabia national football team|Saudi Arabia]] beat [[Argentina national football team|Argentina]] 2–1 at the Lusail Stadium, a result widely described as one of the biggest upsets in the history of the competition. The following day [[Japan national football team|Japan]] came from behind to defeat [[Germany national football team|Germany]] by the same score.<ref name="fifa" />

The final is scheduled to be played at the Lusail Stadium on 18 December.

== References ==
{{Reflist}}

[[Category:2022 FIFA World Cup| ]]
[[Category:FIFA World Cup tournaments]]
[[Category:2022 in Qatari sport]]""",
    },
    {
        "title": "2022 Hunga Tonga–Hunga Haʻapai eruption and tsunami",
        "ns": 0,
        "timestamp": "2022-07-11T05:56:20Z",
        "user": "Stratigrapher",
        "comment": "/* Atmospheric effects */ water vapour",
        "text": """{{Short description|Volcanic eruption in Tonga in January 2022}}
{{Use dmy dates|date=January 2022}}
{{Infobox eruption
| name = 2022 Hunga Tonga–Hunga Haʻapai eruption
| volcano = [[Hunga Tonga–Hunga Haʻapai]]
| date = 20 December 2021 – 15 January 2022 (climax)
| type = [[Surtseyan eruption|Surtseyan]], [[Phreatomagmatic eruption|phreatomagmatic]]
| location = [[Tonga]]
| VEI = 5
}}
The '''2022 Hunga Tonga–Hunga Haʻapai eruption''' was a major [[volcanic eruption]] of the submarine volcano [[Hunga Tonga–Hunga Haʻapai]] in the kingdom of [[Tonga]] in the southern [[Pacific Ocean]]. The volcano had been erupting since December 2021, and the activity reached a violent climax on 15 January 2022. The explosion was the largest recorded in the [[atmosphere of Earth|atmosphere]] by modern instruments, and it produced a [[tsunami]] that crossed the Pacific.<ref name="gvp">{{cite web |url=https://www.example-volcanism.si.edu/hunga-tonga |title=Hunga Tonga-Hunga Ha'apai: eruption report |publisher=Example Volcanism Program |access-date=1 July 2022}}</ref>

== Eruption ==
The volcano lies mostly beneath the sea, with only two small islands above the surface before the eruption. When [[magma]] met seawater in the shallow vent, the water flashed into steam and greatly increased the violence of the explosion. Satellites recorded an [[eruption column|eruption plume]] that rose about {{convert|57|km|mi}}, reaching into the [[mesosphere]], higher than any plume observed before. Most of the land connecting the two islands was destroyed.

== Tsunami ==
Waves up to {{convert|15|m|ft}} high struck the western coasts of Tonga's main islands, destroying homes on several small islands. Tsunami warnings were issued around the Pacific. In [[Peru]], two people drowned in high waves, and an oil spill occurred when waves hit a tanker unloading at a refinery. Several people died in Tonga.<ref name="gvp" />

== Communications ==
The eruption cut the single [[submarine communications cable]] connecting Tonga to the rest of the world, leaving the country largely without internet or international telephone service for about five weeks. Relief supplies were delivered by ships and aircraft from Australia, New Zealand and other countries under strict contactless procedures to avoid bringing [[COVID-19]] to the islands.

== Atmospheric effects ==
The explosion produced a [[pressure wave]] that travelled around the Earth several times and was detected by weather stations and barometers worldwide. Unusually, the eruption injected a very large amount of water vapour into the [[stratosphere]], increasing the stratospheric water content by roughly a tenth. Scientists are studying whether this may slightly warm the surface for a few years, in contrast to most large eruptions, which cause temporary cooling.

== References ==
{{Reflist}}

[[Category:2022 natural disasters]]
[[Category:Volcanic eruptions in Tonga]]
[[Category:Tsunamis in the Pacific Ocean]]""",
    },
    {
        "title": "Ever Given blockage",
        "ns": 0,
        "timestamp": "2021-03-26T12:00:07Z",
        "user": "Tidewaiter",
        "comment": "redirect",
        "redirect": "2021 Suez Canal obstruction",
    },
    {
        "title": "Chess clock",
        "ns": 0,
        "timestamp": "2020-02-11T18:26:30Z",
        "user": "Zugzwang Zoe",
        "comment": "/* Time controls */ increment",
        "text": """{{Short description|Device with two clocks used in board games}}
__NOTOC__
[[File:Analog chess clock.jpg|thumb|A mechanical chess clock. The small red flag on each dial falls when the minute hand reaches the hour.]]
A '''chess clock''' is a device made of two adjacent clocks with buttons that stop one clock while starting the other, so that only one runs at a time. It is used in [[chess]] and other two-player games to keep track of the total time each player spends on their moves, and to make sure that neither player can delay the game indefinitely.<ref name="hooper">{{cite book |last1=Hooper |first1=David |last2=Whyld |first2=Kenneth |title=The Oxford Companion to Chess |publisher=Oxford University Press |year=1992 |edition=2nd}}</ref>

== History ==
Before clocks were used, there was no limit on thinking time, and some games lasted many hours while one player considered a single move. Tournaments in the middle of the 19th century experimented with [[sandglass]]es, and mechanical clocks with two dials linked by a rocking lever became standard in competitive chess by the end of the century. Digital clocks became common from the 1980s onwards.

== Operation ==
At the start of the game each clock is set to the time allowed. After making a move, a player presses the button on their side, which stops their own clock and starts the opponent's. A player who uses up all their time before completing the required number of moves loses the game, unless the opponent does not have enough material to deliver [[checkmate]]. On mechanical clocks a small ''flag'' is lifted by the minute hand and falls when time runs out, which is why running out of time is called ''flagging''.

== Time controls ==
A ''time control'' is the set of rules that decides how much time each player has.
* '''Sudden death''' – a fixed amount of time for the whole game
* '''Increment''' – a fixed number of seconds is added after each move; proposed by [[Bobby Fischer]], who patented a digital clock in 1989
* '''Delay''' – the clock waits a few seconds before it starts counting down each move
* '''Classical controls''' – for example, 90 minutes for the first 40 moves, then 30 minutes for the rest of the game, with an increment of 30 seconds per move

{| class="wikitable"
! Format !! Typical time per player
|-
| [[Fast chess|Bullet]] || 1–2 minutes
|-
| [[Blitz chess|Blitz]] || 3–5 minutes
|-
| [[Rapid chess|Rapid]] || 10–60 minutes
|-
| Classical || more than 60 minutes
|}

Chess clocks are also used in games such as [[Go (game)|Go]], [[shogi]] and [[Scrabble]], and sometimes in debating competitions.<ref name="hooper" />

== References ==
{{Reflist}}

[[Category:Chess equipment]]
[[Category:Clocks]]""",
    },
    {
        "title": "Cross-country skiing",
        "ns": 0,
        "timestamp": "2022-02-20T12:45:33Z",
        "user": "Nordic Trail",
        "comment": "/* Competition */ after Beijing",
        "text": """{{Short description|Form of skiing on mostly flat or rolling terrain}}
{{Infobox sport
| name = Cross-country skiing
| image = Skate skiing on groomed track.jpg
| caption = A skier using the skating technique on a groomed trail
| first = Prehistoric; competitions from the 19th century
| olympic = Since the [[1924 Winter Olympics|1924 Games]]
}}
'''Cross-country skiing''' is a form of [[skiing]] in which skiers travel over snow-covered land using their own power, rather than relying on [[ski lift]]s and downhill slopes. It is popular as a recreational activity in snowy regions and is also a major competitive [[winter sport]]. The sport is especially prominent in [[Norway]], [[Sweden]] and [[Finland]].<ref name="fis">{{cite web |url=https://www.example-fis-ski.com/cross-country/about |title=About cross-country |publisher=International Ski Federation |access-date=18 February 2022}}</ref>

== History ==
Skis were used as a means of transport in northern Europe and Asia thousands of years ago; fragments of wooden skis found in bogs in Scandinavia and Russia are among the oldest known. Military units in Norway held ski races in the 18th century, and civilian competitions became popular in the 19th century. Cross-country skiing has been part of every [[Winter Olympic Games]] since the first in 1924.

== Techniques ==
There are two main techniques.
* '''Classic''' – skis move parallel to each other in prepared tracks. Grip comes from wax or a textured pattern under the foot, which holds the ski against the snow as the skier kicks.
* '''Skating''' – skiers push off the edge of one ski at an angle, in a movement similar to [[ice skating]]. The technique spread quickly in international racing in the early 1980s and is faster than classic on most terrain.

Both techniques use poles for additional push. Classic skiers also use ''double poling'', pushing with both poles at once, on flat sections and gentle descents.

== Equipment ==
Cross-country skis are longer, narrower and lighter than downhill skis. The boots are attached to the skis only at the toe, so that the heel can lift freely. Skating skis are shorter and stiffer than classic skis, and skating poles are longer.

== Competition ==
Races are held over distances ranging from short sprints of about {{convert|1.5|km|mi}} to marathons of {{convert|50|km|mi}} or more. Formats include interval starts, mass starts, pursuits and team relays. The [[FIS Cross-Country World Cup]] runs each winter, and popular long-distance events such as the [[Vasaloppet]] in Sweden attract thousands of amateur participants.<ref name="fis" />

== Health ==
Because it uses both the arms and the legs, cross-country skiing is one of the most demanding endurance sports, and elite skiers have some of the highest aerobic capacities ever measured.

== References ==
{{Reflist}}

[[Category:Cross-country skiing| ]]
[[Category:Winter Olympic sports]]""",
    },
    {
        "title": "User:Quillwort",
        "ns": 2,
        "timestamp": "2022-01-08T10:30:00Z",
        "user": "Quillwort",
        "comment": "update",
        "text": """{{User en}}
{{User wikipedia/WikiGnome}}
Hello! I am a volunteer editor interested in '''coastal ecology''', seaweeds and the natural history of rocky shores. I mostly work on articles about the [[intertidal zone]] and try to add reliable sources to existing pages.

== Articles I have worked on ==
* [[Tide pool]]
* [[Rocky shore]]
* [[Coralline algae]]

== To do ==
# Find a better photograph for [[Tide pool]]
# Expand the section on conservation
# Check the references in [[Limpet]]

Feel free to leave me a message on [[User talk:Quillwort|my talk page]].""",
    },
    {
        "title": "Rainwater harvesting",
        "ns": 0,
        "timestamp": "2021-08-17T07:14:52Z",
        "user": "Cisterna",
        "comment": "/* Uses */ expand",
        "text": """{{Short description|Collection and storage of rain for later use}}
[[File:Rain barrel under downpipe.jpg|thumb|A water butt collecting rain from a house roof]]
'''Rainwater harvesting''' is the collection and storage of [[rain]] for later use, instead of allowing it to run off. Water is usually collected from roofs and directed through [[gutter]]s and downpipes into a tank, barrel or underground [[cistern]]. It is one of the oldest methods of water supply and remains important in regions without reliable piped water.<ref name="unep">{{cite report |title=Rainwater Harvesting: A Lifeline for Human Well-being |publisher=Example Environment Programme |year=2009}}</ref>

== History ==
Cisterns for storing rain have been found at archaeological sites across the [[Middle East]], the [[Mediterranean]] and [[South Asia]]. Many houses in ancient Rome and in the towns of the [[Venetian Republic]] relied on underground cisterns, and [[stepwell]]s in India stored water from the [[monsoon]] for use during the dry season.

== Systems ==
A simple domestic system includes:
# a collection surface, usually a roof;
# gutters and downpipes;
# a ''first-flush'' device that diverts the first, dirtiest water of each shower;
# a storage tank with a cover to keep out light, insects and debris;
# a tap or pump to deliver the water.

The amount of water that can be collected depends on the roof area and the local rainfall. As a rule of thumb, each square metre of roof collects about one litre of water for every millimetre of rain, less losses from evaporation and splashing. A roof of {{convert|100|m2|sqft}} in a place with {{convert|600|mm|in}} of rain a year can therefore collect tens of thousands of litres.

== Uses ==
Harvested rain is most often used for purposes that do not need drinking-quality water, such as watering gardens, flushing toilets and washing clothes. With suitable filtration and disinfection it can also be made safe to drink, and in some rural areas and small islands it is the main source of drinking water.<ref name="unep" />

In cities, rainwater harvesting can also reduce the volume of water that reaches [[storm drain]]s during heavy rain, lowering the risk of local [[flood]]ing. Some countries and cities require or encourage collection systems in new buildings.

== Concerns ==
Stored water must be protected from contamination by animals, bird droppings and mosquito larvae. Tanks and filters need regular cleaning, and roofing materials should be checked because some can release harmful substances into the water.

== References ==
{{Reflist}}

[[Category:Water supply]]
[[Category:Sustainable building]]""",
    },
    {
        "title": "Double-entry bookkeeping",
        "ns": 0,
        "timestamp": "2019-10-28T16:02:19Z",
        "user": "Ledgerman",
        "comment": "copyedit lead",
        "text": """{{Short description|System of accounting in which every entry has an equal and opposite entry}}
'''Double-entry bookkeeping''' is a method of [[bookkeeping]] in which every financial transaction is recorded in at least two [[account (bookkeeping)|accounts]]: once as a ''debit'' and once as a ''credit'', for equal amounts. Because the two sides must always balance, the system makes many errors easy to find and gives a complete picture of where money has come from and where it has gone.<ref name="pacioli">{{cite book |last=Example |first=Alan |title=A Short History of Double Entry |publisher=Example University Press |year=2018}}</ref>

== History ==
Double-entry methods developed among the merchants of northern [[Italy]] during the [[Late Middle Ages]]. The first published description appeared in 1494 in ''[[Summa de arithmetica]]'', a mathematics textbook by the [[Franciscan]] friar [[Luca Pacioli]], printed in [[Venice]]. Pacioli described the system already used by Venetian merchants, with a journal in which transactions were recorded in order and a ledger in which they were sorted by account. His book spread the method across Europe.

== Principles ==
Every transaction affects at least two accounts. When a shop sells goods for cash, for example, the cash account increases and the sales account records the income. When it buys goods on credit, its stock increases and the amount it owes to the supplier increases by the same amount.

The system rests on the [[accounting equation]]:
: ''Assets'' = ''Liabilities'' + ''Equity''

{| class="wikitable"
! Account type !! Increased by !! Decreased by
|-
| Assets || Debit || Credit
|-
| Expenses || Debit || Credit
|-
| Liabilities || Credit || Debit
|-
| Equity || Credit || Debit
|-
| Income || Credit || Debit
|}

== Trial balance ==
At the end of a period, the balances of all accounts are listed in a ''[[trial balance]]''. If the total debits do not equal the total credits, a mistake has been made. A balanced trial balance does not prove that the books are correct, because some errors, such as recording a transaction in the wrong account, do not affect the totals.

== Modern use ==
Almost all businesses, charities and governments now keep their accounts using double entry, usually with [[accounting software]] that enforces the rule automatically. The same principle underlies the [[financial statement]]s that companies publish each year.<ref name="pacioli" />

== References ==
{{Reflist}}

[[Category:Accounting systems]]
[[Category:Bookkeeping]]""",
    },
    {
        "title": "Glacier",
        "ns": 0,
        "timestamp": "2022-08-29T09:40:15Z",
        "user": "Moraine",
        "comment": "/* Retreat */ 2022 summer",
        "text": """{{Short description|Persistent body of dense ice that moves under its own weight}}
{{Use dmy dates|date=August 2022}}
[[File:Valley glacier with crevasses.jpg|thumb|right|A valley glacier, showing crevasses and a dark stripe of rock debris]]
A '''glacier''' is a persistent body of dense [[ice]] that forms on land where snow accumulates over many years and moves slowly under its own weight. Glaciers form where more snow falls in winter than melts in summer, typically at high altitudes or high latitudes. Together with the [[ice sheet]]s of [[Greenland]] and [[Antarctica]], glaciers hold most of the world's [[fresh water]].<ref name="nsidc">{{cite web |url=https://www.example-snow-ice.org/glaciers/facts |title=Facts about glaciers |publisher=Example Snow and Ice Data Center |access-date=25 August 2022}}</ref>

== Formation ==
As layers of snow build up, the weight of the new snow compresses the older layers beneath. The snow turns first into a granular material called [[firn]] and then, over decades, into dense glacial ice. When the ice becomes thick enough, usually several tens of metres, it begins to deform and flow downhill.

== Movement ==
Glaciers move in two main ways. The ice itself deforms slowly, like a very thick fluid, and the whole glacier can slide over its bed on a thin layer of meltwater. Speeds range from a few centimetres to several metres a day; some outlet glaciers in Greenland move many kilometres a year. Near the surface, where the ice is brittle, movement opens deep cracks called [[crevasse]]s.

== Mass balance ==
The upper part of a glacier, where snow accumulates, is the ''accumulation zone''. The lower part, where more ice melts than is added, is the ''ablation zone''. The difference between the two over a year is the glacier's [[glacier mass balance|mass balance]]. A glacier with a negative balance thins and its front retreats.

== Landforms ==
Glaciers are powerful agents of [[erosion]]. They carve U-shaped valleys, [[cirque]]s and [[fjord]]s, and they deposit ridges of rock debris called [[moraine]]s. Much of the landscape of northern Europe and North America was shaped by glaciers during the last [[glacial period]].

== Retreat ==
Most glaciers in the world have been retreating since the middle of the 19th century, and the rate of loss has increased in recent decades as a result of [[climate change]]. In the summer of 2022, an exceptionally hot season, glaciers in the [[Alps]] lost a record amount of ice, and a large section of the [[Marmolada]] glacier in Italy collapsed in July.<ref name="nsidc" /> Shrinking glaciers affect water supplies for millions of people and contribute to [[sea level rise]].

== References ==
{{Reflist}}

[[Category:Glaciers| ]]
[[Category:Glaciology]]""",
    },
    {
        "title": "ISO 216",
        "ns": 0,
        "timestamp": "2021-05-13T13:13:13Z",
        "user": "Papermill",
        "comment": "/* A series */ table",
        "text": """{{Short description|International standard for paper sizes}}
{{Infobox standard
| title = ISO 216
| status = Published
| year_started = 1975
| organization = [[International Organization for Standardization]]
| base_standards = [[DIN 476]]
| domain = Paper sizes
}}
'''ISO 216''' is an [[international standard]] for [[paper size]]s, used in almost every country in the world except the United States and Canada, where [[Letter (paper size)|Letter]] and other North American sizes are common. The standard defines the '''A''' and '''B''' series, including the familiar '''A4''' size used for most office paper.<ref name="iso">{{cite web |url=https://www.example-iso.org/standard/216 |title=ISO 216: Writing paper and certain classes of printed matter – Trimmed sizes |publisher=ISO |access-date=10 May 2021}}</ref>

== Principle ==
All ISO paper sizes have the same [[aspect ratio]], one to the [[square root of 2]], or about 1:1.414. This ratio has a useful property: when a sheet is cut or folded in half across its longer side, each half has exactly the same shape as the original. An A3 sheet folded in half gives two A4 pages, and two A4 pages reduced to half their area fit onto a single A4 sheet without wasted margins.

The base size, '''A0''', is defined to have an area of one square metre. Each following size is half the area of the one before it. The German scientist [[Georg Christoph Lichtenberg]] described the advantages of the square root of two ratio in a letter in 1786, and the system was standardised in Germany as [[DIN 476]] in 1922 before being adopted internationally.

== A series ==
{| class="wikitable"
! Size !! Millimetres !! Common use
|-
| A0 || 841 × 1189 || Technical drawings, posters
|-
| A1 || 594 × 841 || Flip charts
|-
| A2 || 420 × 594 || Drawings, large posters
|-
| A3 || 297 × 420 || Diagrams, spreadsheets
|-
| A4 || 210 × 297 || Letters, magazines, office paper
|-
| A5 || 148 × 210 || Notebooks, books
|-
| A6 || 105 × 148 || Postcards
|}

The standard also makes scaling simple. Because every size has the same shape, a photocopier can enlarge an A4 page to A3 with a fixed ratio of about 141 percent, or reduce it to A5 with a ratio of about 71 percent, without cropping or leaving uneven margins. Designers and printers can therefore prepare a single layout and reuse it at several sizes.

== B and C series ==
The B series provides sizes between the A sizes, and is used for posters, books and passports. The related C series, defined in a separate standard, is used for [[envelope]]s: a C4 envelope holds an unfolded A4 sheet.<ref name="iso" />

== See also ==
* [[Paper size]]
* [[Letter (paper size)]]

== References ==
{{Reflist}}

[[Category:Paper sizes]]
[[Category:ISO standards|#00216]]""",
    },
    {
        "title": "A4 paper size",
        "ns": 0,
        "timestamp": "2020-07-01T08:00:00Z",
        "user": "Papermill",
        "comment": "redirect",
        "redirect": "ISO 216",
    },
    {
        "title": "Template:Volcanoes of Italy",
        "ns": 10,
        "timestamp": "2021-04-02T19:19:19Z",
        "user": "Stratigrapher",
        "comment": "add Etna",
        "text": """{{Navbox
| name = Volcanoes of Italy
| title = [[List of volcanoes in Italy|Volcanoes of Italy]]
| state = {{{state|autocollapse}}}
| group1 = Active
| list1 =
* [[Mount Etna]]
* [[Stromboli]]
* [[Mount Vesuvius|Vesuvius]]
* [[Campi Flegrei]]
* [[Vulcano (island)|Vulcano]]
| group2 = Dormant or extinct
| list2 =
* [[Ischia]]
* [[Monte Vulture]]
* [[Colli Albani]]
}}<noinclude>
{{Documentation}}
[[Category:Volcano navigational boxes]]
</noinclude>""",
    },
    {
        "title": "Public library",
        "ns": 0,
        "timestamp": "2022-05-09T17:28:41Z",
        "user": "Bookplate",
        "comment": "/* Services */ digital lending",
        "text": """{{Short description|Library accessible to the general public}}
[[File:Public library reading room.jpg|thumb|The reading room of a city public library]]
A '''public library''' is a [[library]] that is open to the general public and is usually funded from public sources, such as [[tax]]es. Public libraries lend books and other materials free of charge, provide a place for study and reading, and offer a wide range of services to people of all ages and backgrounds. They exist in almost every country and are often considered an essential part of a democratic society.<ref name="ifla">{{cite web |url=https://www.example-ifla.org/public-library-manifesto |title=Public Library Manifesto |publisher=Example Federation of Library Associations |year=2022 |access-date=1 May 2022}}</ref>

== History ==
Collections of books open to readers existed in the ancient world, but the modern public library developed in the 18th and 19th centuries. Subscription libraries, which charged members a fee, were common in Britain and North America before laws allowed local authorities to raise taxes for free libraries. In the United Kingdom the Public Libraries Act of 1850 gave towns this power, and in the United States donations from the businessman [[Andrew Carnegie]] paid for the construction of more than 1,600 library buildings between 1883 and 1919.

== Services ==
Modern public libraries offer much more than printed books:
* lending of [[e-book]]s, [[audiobook]]s, films and music;
* free access to computers, printers and the [[internet]];
* story times and reading programmes for children;
* help with job applications, official forms and digital skills;
* local history collections and family history resources;
* meeting rooms and events such as talks and exhibitions.

Some libraries also lend unusual items, including tools, musical instruments, seeds and sports equipment, in collections often called a ''[[library of things]]''.

== Funding ==
Most public libraries are funded by local or national government. In several countries, budget cuts during the 2010s led to shorter opening hours, the closure of branches and a greater reliance on volunteers. During the [[COVID-19 pandemic]], many libraries closed their buildings temporarily and expanded digital lending and online events.<ref name="ifla" />

== Principles ==
Library associations describe the public library as a gateway to knowledge that should be available to everyone, regardless of age, ethnicity, gender, religion, nationality, language or social status. Protecting the privacy of users and resisting [[censorship]] are long-standing principles of the profession.

== References ==
{{Reflist}}

[[Category:Public libraries| ]]
[[Category:Types of library]]""",
    },
    {
        "title": "Mount Etna",
        "ns": 0,
        "timestamp": "2022-05-30T06:06:06Z",
        "user": "Stratigrapher",
        "comment": "/* Recent activity */ 2021 paroxysms",
        "text": """{{Short description|Active stratovolcano in Sicily, Italy}}
{{Use dmy dates|date=May 2022}}
{{Infobox mountain
| name = Mount Etna
| other_name = Mongibello
| photo = Etna summit plume.jpg
| photo_caption = Etna seen from the south, with a gas plume over the summit craters
| elevation_m = 3357
| location = [[Sicily]], Italy
| range = none
| type = [[Stratovolcano]]
| last_eruption = 2022
}}
'''Mount Etna''' is an active [[stratovolcano]] on the east coast of [[Sicily]], Italy, between the cities of [[Messina]] and [[Catania]]. It is the highest active volcano in Europe outside the [[Caucasus]], with a summit about {{convert|3357|m|ft}} high, although its exact height changes with each eruption. It is one of the most active volcanoes in the world and is almost constantly erupting in some form.<ref name="ingv">{{cite web |url=https://www.example-ingv.it/etna/overview |title=Etna: overview |publisher=Example Institute of Geophysics and Volcanology |access-date=25 May 2022}}</ref>

== Geology ==
Etna lies above the zone where the [[African Plate]] is moving north towards the [[Eurasian Plate]], although the exact reason for its volcanism is still debated. The volcano has been active for about half a million years. Its summit has four main craters, and eruptions also occur from fissures on its flanks, which are more dangerous to the towns and villages that surround the mountain.

== Eruptions ==
Famous eruptions include that of 1669, when lava flows reached the walls of Catania and entered the sea. Flank eruptions in the 20th century destroyed several villages and threatened others; in 1992 engineers used explosives and concrete blocks to divert a lava flow away from the town of [[Zafferana Etnea]].

== Recent activity ==
Between February and April 2021 the South-East Crater produced a series of more than fifty short, violent episodes called ''paroxysms'', with [[lava fountain]]s hundreds of metres high and ash that fell on towns and closed [[Catania Airport]] for short periods. The material built up around the crater, which became the highest point of the volcano.<ref name="ingv" />

== Human use ==
The fertile volcanic soils on the lower slopes support vineyards, orchards and groves of [[pistachio]]s, olives and citrus fruit, and about a quarter of the population of Sicily lives on or near the mountain. Etna is also a popular destination for hikers and skiers. It was named a [[World Heritage Site]] in 2013.

{{Volcanoes of Italy}}

== References ==
{{Reflist}}

[[Category:Mount Etna| ]]
[[Category:Stratovolcanoes of Italy]]
[[Category:World Heritage Sites in Italy]]""",
    },
    {
        "title": "Bicycle-sharing system",
        "ns": 0,
        "timestamp": "2022-09-21T15:50:33Z",
        "user": "Spokesperson",
        "comment": "/* Dockless systems */",
        "text": """{{Short description|Service that makes bicycles available for shared use}}
[[File:Bike share docking station.jpg|thumb|A docking station of a city bicycle-sharing scheme]]
A '''bicycle-sharing system''' is a service in which [[bicycle]]s are made available for shared use by individuals for short periods, usually for a fee. Users typically take a bicycle from one location and return it at another, making the system useful for one-way trips within a city. Most modern systems are operated with smartphone apps or membership cards, and many now include [[electric bicycle]]s.<ref name="itdp">{{cite report |title=The Bike-Share Planning Guide |publisher=Example Institute for Transportation |year=2018}}</ref>

== History ==
The first well-known scheme was the ''White Bicycle Plan'' in [[Amsterdam]] in 1965, when activists painted bicycles white and left them unlocked for anyone to use. Most of the bicycles were soon stolen or thrown into canals. In 1995 [[Copenhagen]] introduced a larger scheme in which bicycles were released with a coin deposit, like a supermarket trolley.

The modern era began with systems that used electronic locks and registered users, which greatly reduced theft. The launch of '''Vélib'''' in [[Paris]] in 2007, with thousands of bicycles at hundreds of stations, inspired similar schemes in cities around the world, including London, New York, Mexico City and Barcelona.

== Docked and dockless systems ==
In ''docked'' systems, bicycles are locked into stations with fixed racks, and users must return them to a station with an empty space. In ''dockless'' systems, each bicycle has its own lock and GPS receiver, and it can be left anywhere within a defined area. Dockless schemes spread rapidly in China in 2016 and 2017, where competing companies placed millions of bicycles on the streets within a short time. Oversupply led to large piles of abandoned bicycles, and several operators went out of business.<ref name="itdp" />

== Benefits and problems ==
Bicycle sharing can reduce short car journeys, connect people to public transport for the "last mile", and encourage physical activity. Studies have found that a successful scheme needs a dense network of stations, safe [[bike lane|cycle lanes]] and a reliable way of moving bicycles from full stations to empty ones.

Common problems include vandalism, bicycles parked on pavements, and the cost of rebalancing the fleet. During the [[COVID-19 pandemic]], usage in many cities rose as people avoided crowded buses and trains.

== References ==
{{Reflist}}

[[Category:Bicycle sharing| ]]
[[Category:Sustainable transport]]""",
    },
    {
        "title": "Day of Eight Billion",
        "ns": 0,
        "timestamp": "2022-11-16T11:11:11Z",
        "user": "Censustaker",
        "comment": "create",
        "text": """{{Short description|Date designated by the United Nations as when world population reached eight billion}}
{{Use dmy dates|date=November 2022}}
The '''Day of Eight Billion''' was 15 November 2022, the date on which the [[United Nations]] estimated that the [[world population]] reached eight billion people. The date was announced in the ''World Population Prospects 2022'' report, published on [[World Population Day]], 11 July 2022.<ref name="wpp">{{cite report |title=World Population Prospects 2022: Summary of Results |publisher=United Nations Department of Economic and Social Affairs |date=July 2022}}</ref>

== Background ==
The United Nations had previously marked the [[Day of Six Billion]] on 12 October 1999 and the [[Day of Seven Billion]] on 31 October 2011. Such dates are symbolic, because population estimates have a margin of error of a year or more, and demographers stress that the exact moment cannot be known.

{| class="wikitable"
! Milestone !! Year reached (approx.) !! Years since previous billion
|-
| 1 billion || 1804 || –
|-
| 2 billion || 1927 || 123
|-
| 3 billion || 1960 || 33
|-
| 4 billion || 1974 || 14
|-
| 5 billion || 1987 || 13
|-
| 6 billion || 1999 || 12
|-
| 7 billion || 2011 || 12
|-
| 8 billion || 2022 || 11
|}

== Trends ==
Although the population continues to grow, the rate of growth has been falling since its peak in the 1960s and dropped below one percent a year in 2020. The main cause is a decline in [[total fertility rate|fertility]]: the global average fell to about 2.3 births per woman in 2021. At the same time, [[life expectancy]] has increased, and the share of older people in the population is growing.

The report projected that the world population would reach about 8.5 billion in 2030 and 9.7 billion in 2050, and peak at around 10.4 billion during the 2080s. It also projected that [[India]] would overtake [[China]] as the [[List of countries by population|most populous country]] in 2023.<ref name="wpp" />

== Reactions ==
The UN Secretary-General described the milestone as an occasion to celebrate longer lives and advances in health, while warning about inequality and the pressure placed on the environment. Commentators noted that consumption in wealthy countries has a greater effect on the environment than the number of people in poorer countries where most growth is taking place.

== References ==
{{Reflist}}

[[Category:2022 in international relations]]
[[Category:Human population]]""",
    },
    {
        "title": "Talk:Tide pool",
        "ns": 1,
        "timestamp": "2022-09-15T07:40:02Z",
        "user": "Harrowgate",
        "comment": "/* Rock pool or tide pool? */ reply",
        "text": """{{WikiProject banner shell|class=C|
{{WikiProject Marine life|importance=Mid}}
{{WikiProject Ecology|importance=Low}}
}}

== Rock pool or tide pool? ==
In Britain these are almost always called rock pools. Should the article be moved? [[User:Harrowgate|Harrowgate]] ([[User talk:Harrowgate|talk]]) 16:03, 14 September 2022 (UTC)
:I think tide pool is more common internationally, and rock pool already redirects here. Both names are in the first sentence. [[User:Quillwort|Quillwort]] ([[User talk:Quillwort|talk]]) 19:30, 14 September 2022 (UTC)
::Fair enough, happy to leave it. [[User:Harrowgate|Harrowgate]] ([[User talk:Harrowgate|talk]]) 07:40, 15 September 2022 (UTC)""",
    },
    {
        "title": "Tool library",
        "ns": 0,
        "timestamp": "2022-11-20T14:14:14Z",
        "user": "Bookplate",
        "comment": "expand",
        "text": """{{Short description|Facility that lends tools to members of the public}}
{{Use British English|date=November 2022}}
A '''tool library''' or '''tool lending library''' is a service that lends tools, equipment and sometimes instructional materials to its members, in the same way that a traditional [[library]] lends books. Tool libraries may be run by public libraries, by community groups or as non-profit organisations, and they are a common example of the [[sharing economy]].<ref name="share">{{cite book |last=Example |first=Jordan |title=Sharing Cities: Tools for a Common Future |publisher=Example Books |year=2019}}</ref>

== History ==
One of the earliest public tool lending libraries opened in [[Berkeley, California]], in 1979, as part of the city's public library, funded initially by a community development grant. Interest grew in the 2010s as a result of economic pressures, environmental concerns and the spread of the ''[[library of things]]'' idea. Tool libraries now operate in many cities in North America, Europe and Australia.

== Operation ==
Members usually pay an annual fee, which is sometimes reduced or waived for people on low incomes, and can borrow a limited number of tools for a set period, often a week. Tools are checked and cleaned when they are returned, and electrical equipment is tested for safety. Many tool libraries rely on volunteers and on donations of good quality tools that their owners no longer need.

Commonly borrowed items include:
* power drills and saws;
* ladders;
* garden tools such as hedge trimmers and lawn aerators;
* carpet and upholstery cleaners;
* sewing machines;
* camping equipment.

== Benefits ==
Supporters argue that tool libraries save money for households who need an expensive tool only occasionally, reduce the number of rarely used products that are manufactured and thrown away, and free up storage space in small homes. Many also run workshops and [[repair café]]s, which help members learn practical skills.<ref name="share" />

== Challenges ==
Common difficulties include finding affordable space, insuring the equipment and the members who use it, and covering the cost of repairing and replacing tools that wear out. Some schemes have closed when volunteers moved on or grants ended.

== See also ==
* [[Repair café]]
* [[Public library]]

== References ==
{{Reflist}}

[[Category:Types of library]]
[[Category:Sharing economy]]""",
    },
    {
        "title": "Category:Intertidal ecology",
        "ns": 14,
        "timestamp": "2020-03-03T03:03:03Z",
        "user": "Quillwort",
        "comment": "create",
        "text": """{{Commons category|Intertidal zone}}
This category contains articles about the ecology of the [[intertidal zone]], the area of the shore between high and low tide.

[[Category:Coastal ecology]]
[[Category:Marine ecology]]""",
    },
]
