"""English article text for the sample WARCs, written for this project (not copied from anywhere).

Each article is a dict: ``key`` (stable name used by make_sample.py), ``site`` (a key of ``SITES``), ``path``,
``title``, ``author``, ``published`` (ISO date) and ``body`` in a tiny markup: blank-line separated blocks; a block
starting with ``## `` is a heading, one whose lines start with ``- `` or ``1. `` is a list, ``> `` a quotation.
"""

SITES: dict[str, dict] = {
    "northfield": {
        "domain": "www.northfieldcourier.com",
        "name": "The Northfield Courier",
        "style": "news",
        "nav": ["News", "Local", "Business", "Climate", "Sport", "Opinion", "Obituaries"],
        "footer": "The Northfield Courier is an independent local newspaper. Letters to the editor: letters@northfieldcourier.com.",
    },
    "brightwater": {
        "domain": "brightwaterdaily.co.uk",
        "name": "Brightwater Daily",
        "style": "news",
        "nav": ["Home", "World", "UK", "Science", "Work", "Culture", "Features"],
        "footer": "Brightwater Daily Ltd, registered in England and Wales. All rights reserved.",
    },
    "pitchside": {
        "domain": "www.pitchsideweekly.com",
        "name": "Pitchside Weekly",
        "style": "news",
        "nav": ["Football", "World Cup 2022", "Tennis", "Cricket", "Rugby", "Podcasts"],
        "footer": "Pitchside Weekly covers football and other sports from the terraces up.",
    },
    "civic": {
        "domain": "civicreview.org",
        "name": "The Civic Review",
        "style": "news",
        "nav": ["Elections", "Explainers", "Data", "Newsletter", "About", "Donate"],
        "footer": "The Civic Review is a nonprofit newsroom funded by readers. We do not endorse candidates.",
    },
    "orbitnotes": {
        "domain": "orbitnotes.org",
        "name": "Orbit Notes",
        "style": "blog",
        "nav": ["Missions", "Sky Guide", "Explainers", "Archive", "About"],
        "footer": "Orbit Notes is written by amateur astronomers. Images are credited in each post.",
    },
    "ledgerlane": {
        "domain": "www.ledgerlane.co.uk",
        "name": "Ledger Lane",
        "style": "blog",
        "nav": ["Budgeting", "Saving", "Mortgages", "Energy Bills", "Tools"],
        "footer": "Ledger Lane offers general information, not regulated financial advice.",
    },
    "greenfork": {
        "domain": "greenforkkitchen.com",
        "name": "Greenfork Kitchen",
        "style": "blog",
        "nav": ["Recipes", "Baking", "Weeknight", "Seasonal", "About Me"],
        "footer": "Recipes and photos by Greenfork Kitchen. Please link back if you share them.",
    },
    "tinkerbench": {
        "domain": "tinkerbench.net",
        "name": "Tinkerbench",
        "style": "howto",
        "nav": ["Guides", "Networking", "Linux", "Python", "Hardware", "Contact"],
        "footer": "Tinkerbench guides are tested on our own machines before we publish them.",
    },
    "trailhead": {
        "domain": "www.trailheadjournal.com",
        "name": "Trailhead Journal",
        "style": "blog",
        "nav": ["Hiking", "Travel", "Gear", "Night Sky", "Trip Reports"],
        "footer": "Trailhead Journal: walking, travelling and looking up since 2014.",
    },
    "homestead": {
        "domain": "homesteadnotes.net",
        "name": "Homestead Notes",
        "style": "howto",
        "nav": ["Home", "Garden", "Energy", "Repairs", "Seasonal Jobs"],
        "footer": "Homestead Notes: practical advice for houses, gardens and the people in them.",
    },
    "clinic": {
        "domain": "www.cliniccorner.org",
        "name": "Clinic Corner",
        "style": "howto",
        "nav": ["Conditions", "Vaccines", "Nutrition", "Sleep", "Ask a Nurse"],
        "footer": "Clinic Corner content is reviewed by practising nurses and doctors. It does not replace personal medical advice.",
    },
}

EN_ARTICLES: list[dict] = [
    {
        "key": "wc-opening",
        "site": "pitchside",
        "path": "/world-cup-2022/qatar-ecuador-opening-match-report",
        "title": "Ecuador spoil the party as Qatar open a World Cup like no other",
        "author": "Daniel Okafor",
        "published": "2022-11-21",
        "body": """
The first World Cup to be held in the Middle East began on Sunday evening at the Al Bayt Stadium, a tent-shaped arena north of Doha, and for the hosts it was a night to forget. Ecuador won 2-0, with both goals scored by their captain Enner Valencia in the first half, and Qatar became the first host nation ever to lose the opening match of the tournament.

The evening had started with an opening ceremony that mixed desert imagery, music and a message of welcome. Many of the home supporters had already left by the second half, and the television pictures of empty seats will be discussed for days. It was a harsh lesson for a team that had spent months together in training camps preparing for exactly this moment.

## An early scare and a captain's performance

Valencia thought he had scored in the third minute, heading in after a goalkeeping mistake, but the goal was ruled out for offside after a long review by the video assistant referee. He did not have to wait long. In the sixteenth minute he was tripped by the Qatari goalkeeper and scored the penalty himself, and half an hour later he rose at the far post to head in a cross from the right.

Ecuador looked comfortable for the rest of the match. They kept the ball patiently, pressed when they lost it, and rarely allowed Qatar into the penalty area. Valencia limped off late in the game with a knee problem, which will worry his coach before the next match against the Netherlands.

## What it means for the group

Group A also contains Senegal and the Netherlands, who play on Monday. For Qatar the next game, against Senegal on Friday, now feels like a final. For Ecuador, a team that many people had not expected to get out of the group, there is a real chance to reach the knockout rounds for only the second time in their history.

This tournament has been unusual from the start. It is being played in November and December instead of the northern summer, all eight stadiums are within a short drive of each other, and fans can in theory watch two matches in a single day. Whether that compact format creates a good atmosphere will become clearer over the next week.
""",
    },
    {
        "key": "wc-saudi-argentina",
        "site": "pitchside",
        "path": "/world-cup-2022/saudi-arabia-beat-argentina-lusail",
        "title": "Saudi Arabia stun Argentina in one of the great World Cup upsets",
        "author": "Daniel Okafor",
        "published": "2022-11-22",
        "body": """
Nobody at the Lusail Stadium expected this. Argentina arrived in Qatar unbeaten in thirty-six matches, with Lionel Messi playing what he has said will probably be his last World Cup, and they were beaten 2-1 by a Saudi Arabia side ranked fifty places below them.

For the first half the match followed the script. Messi scored a penalty in the tenth minute after a defender pulled down Leandro Paredes at a corner, and Argentina had three more goals disallowed for offside, each one tighter than the last. The Saudi defence played a very high line, and although it looked risky, it kept catching the Argentine forwards a step too early.

## Five minutes that changed everything

Three minutes after the break, Saleh Al-Shehri ran onto a pass, held off a defender and shot low across the goalkeeper to make it 1-1. Five minutes later Salem Al-Dawsari turned inside the area, cut back onto his right foot and curled a shot into the top corner. The Saudi bench emptied onto the touchline, and the thousands of green shirts in the stands made more noise than the much larger Argentine crowd.

What followed was forty minutes of desperate defending. Saudi goalkeeper Mohammed Al-Owais made several good saves, his teammates threw themselves in front of shots, and the referee added almost fourteen minutes of stoppage time. When the final whistle came, the players fell to the grass in disbelief.

## A coach who believed

Much of the credit belongs to Hervé Renard, the French coach who has now won matches at several World Cups with different countries. Before the game he told his players that they had nothing to lose. At half time, according to people in the dressing room, he told them very directly that they were standing back and admiring their opponents instead of playing.

Argentina are not out. They face Mexico on Saturday and Poland after that, and a team with this much talent can still win the group. But the aura has gone, and every opponent now knows that the favourites can be beaten. Saudi Arabia, meanwhile, declared a public holiday on Wednesday so that the whole country could celebrate.
""",
    },
    {
        "key": "wc-club-season",
        "site": "brightwater",
        "path": "/features/2022/11/winter-world-cup-club-season",
        "title": "Why a winter World Cup scrambled the European club season",
        "author": "Hannah Price",
        "published": "2022-11-18",
        "body": """
For almost a century, the World Cup has been a summer event for European fans, a tournament that fills the quiet months between the end of one club season and the start of the next. This year is different. Because summer temperatures in Qatar regularly pass forty degrees, the tournament was moved to November and December, and the biggest leagues in Europe have had to stop halfway through their seasons to make room for it.

The English Premier League played its last round of matches before the break on the weekend of 12 November and will not return until Boxing Day. The leagues in Spain, Germany, Italy and France have similar gaps. In most of those countries the season started a week or two earlier than usual, and more midweek fixtures were squeezed into the autumn, so that the calendar could still finish in May.

## Tired legs and crowded calendars

Club coaches have complained about the schedule for months. Players who reach the later rounds of the World Cup will have only a few days of rest before returning to league football, and there will be no proper pre-season to recover. Medical staff at several clubs have warned that muscle injuries are more likely when players go straight from one high-intensity competition to another.

The players also had very little time to prepare with their national teams. In a normal tournament, squads meet for two or three weeks of training and friendly matches. This time most of them arrived in Qatar barely a week before their first game, having played a full weekend of club football just beforehand. Several well-known players had already been ruled out with injuries picked up during that crowded run of fixtures.

## Some unexpected winners

Not everyone is unhappy. Players in the lower divisions, which carry on playing through the break, are enjoying bigger crowds and more television attention than usual. Women's football also gets a clearer stage in the weeks when men's club football is paused. And supporters who have never been able to follow a World Cup during a long summer holiday may find that the dark evenings of November are a surprisingly good time to watch football on the sofa.

Whether the experiment is repeated is another question. The next men's tournament, in North America in 2026, returns to the usual summer dates.
""",
    },
    {
        "key": "wc-watch-party",
        "site": "greenfork",
        "path": "/seasonal/world-cup-watch-party-snacks",
        "title": "Easy snacks for a World Cup watch party",
        "author": "Maya Lindqvist",
        "published": "2022-11-19",
        "body": """
My family only pays attention to football every four years, but when the World Cup arrives the whole house suddenly has opinions about formations and penalty takers. This year the matches are being played in November, which means no barbecues in the garden. Instead we have been gathering in the living room with the heating on and a table full of food that can be eaten with one hand while the other hand points angrily at the screen.

Here are the snacks that have worked best for us so far. None of them need last-minute attention, because the worst thing about hosting a watch party is missing a goal while you are stuck at the oven.

## Make ahead, serve at kick-off

- Spiced roasted chickpeas. Drain two tins, dry them well, toss with olive oil, smoked paprika and a little salt, and roast for about forty minutes until they are crunchy. They keep for a couple of days in a jar.
- A big tray of oven-baked potato wedges with a yoghurt and herb dip. Cut the wedges in the morning and keep them in cold water until you need them.
- Cheese and onion scones, which taste better slightly warm but are still good cold at half time.
- A simple flatbread pizza cut into small squares, so that nobody has to leave the sofa with a plate.

## Something from the host country

Because the tournament is in Qatar, I wanted at least one dish with flavours from the Gulf. I made small lamb meatballs with cumin, cinnamon, black pepper and dried lime, served with flatbread and a bowl of tahini sauce. They were the first thing to disappear, even before the opening goal. If you cannot find dried lime, grated lemon zest and a squeeze of juice will give a similar sharp note.

## A note on timing

With four matches a day during the group stage, it is easy to spend far too much on snacks. I plan one proper spread for the match our country is playing and keep the rest simple: a bowl of fruit, some popcorn made on the hob, and a pot of tea. Football is more fun when the kitchen is not a disaster by the final whistle.
""",
    },
    {
        "key": "covid-bivalent-booster",
        "site": "clinic",
        "path": "/vaccines/updated-covid-booster-winter-2022",
        "title": "Should you get the updated Covid-19 booster this winter?",
        "author": "Nurse Priya Raman",
        "published": "2022-11-02",
        "body": """
This autumn many countries started offering updated Covid-19 boosters. Unlike the first vaccines, which were designed around the version of the virus that spread in early 2020, the new boosters also contain instructions for the spike protein of an Omicron variant. Scientists call them bivalent vaccines because they target two versions of the virus at once.

We have been getting a lot of questions about them in our clinics, so here are the answers to the most common ones. As always, your own doctor or pharmacist knows your history and is the best person to ask about your situation.

## Who is being offered a booster?

Most health services are prioritising people over fifty or sixty-five, residents of care homes, people with weakened immune systems, pregnant people and health and care workers. Some countries also offer the booster to younger adults. The reason for the focus on older people is simple: the risk of becoming seriously ill with Covid-19 still rises sharply with age, and protection from earlier doses fades over several months.

## I have already had Covid. Do I still need it?

Infection gives some protection, but it varies a great deal from person to person and also fades with time. The current advice in most places is to wait about three months after an infection and then get the booster if you are eligible. Having both infection and vaccination seems to give broader protection than either one on its own.

## What about side effects?

The side effects reported so far are similar to those after earlier doses: a sore arm, tiredness, a headache or a mild fever for a day or two. Serious reactions are rare. If you had a severe allergic reaction to a previous dose, talk to your doctor before booking.

## Can I have it at the same time as the flu vaccine?

Yes. Studies have found that giving both vaccines at the same appointment is safe and works well, and it saves you a second trip. Many pharmacies are offering both together this winter. With flu expected to circulate strongly after two quiet years, it is worth making sure you are protected against both.
""",
    },
    {
        "key": "covid-omicron-hospitals",
        "site": "clinic",
        "path": "/conditions/omicron-wave-hospital-staffing-lessons",
        "title": "What the Omicron wave taught hospitals about staffing",
        "author": "Dr Tomás Herrera",
        "published": "2022-10-12",
        "body": """
When the Omicron variant spread around the world in the winter of 2021, hospitals faced a problem that was different from the earlier waves of the pandemic. The variant was very good at infecting people, including vaccinated people, but on average it caused less severe illness. Wards did fill up, yet in many hospitals the biggest crisis was not a lack of beds. It was a lack of staff.

At the peak, some hospitals had more than one in ten of their nurses and doctors off sick or isolating at the same time. Clinics were cancelled, planned operations were postponed, and the remaining staff worked long extra shifts. Looking back almost a year later, managers and unions have started to describe what helped and what did not.

## Flexible rotas worked better than heroic effort

The hospitals that coped best had planned for absence before it happened. They kept lists of staff who were willing to move between departments, trained people in advance to work safely on unfamiliar wards, and shortened some shifts so that tired workers could recover. Relying on the same dedicated people to cover every gap worked for a few weeks but led to exhaustion and, later, resignations.

## Testing rules mattered

Rules about when a health worker could return after a positive test changed several times during the wave. Clear, simple guidance helped managers plan. Confusing guidance, or rules that changed every few days, made it harder to know who would be available the following week. Many staff members said they wanted to come back as soon as it was safe, but did not want to put vulnerable patients at risk.

## Looking after the people who stayed

Perhaps the most important lesson is that burnout does not end when case numbers fall. Surveys of hospital staff in several countries found high levels of stress and tiredness long after the wave had passed. Good canteens open at night, reliable childcare, proper breaks and managers who listen may sound like small things, but staff repeatedly describe them as the reasons they stayed in the job.

Health services are now preparing for a winter in which Covid-19, flu and other respiratory viruses may all circulate at once. The experience of Omicron suggests that protecting the workforce is just as important as preparing beds and equipment.
""",
    },
    {
        "key": "remote-work",
        "site": "brightwater",
        "path": "/work/2022/11/remote-work-what-stayed",
        "title": "Two years of remote work: what stayed and what went back to normal",
        "author": "Oliver Grant",
        "published": "2022-11-08",
        "body": """
In the spring of 2020, millions of office workers packed up a laptop and a monitor and carried them home, expecting to return within a few weeks. Almost three years later, many of them never fully went back. The pandemic ended the idea that office work must be done in an office, but it did not end the office itself. What has emerged instead is a messy compromise that most people now simply call hybrid working.

Surveys of employers in Britain, the United States and much of Europe tell a similar story. A small share of office staff work entirely from home, a larger group has returned full time, and the biggest group splits the week, typically spending two or three days at a desk in the office and the rest at the kitchen table.

## What stayed

Video calls are clearly here to stay. Meetings that once required a train journey now happen on a screen, and very few companies want to go back to paying for travel when a call will do. Flexible hours have also survived in many workplaces. Parents who discovered they could do the school run and still finish their work are not keen to give that up.

Many employees also say that they get more focused work done at home, away from the noise of an open-plan office. Managers are less sure. Some worry that younger staff, who learn a lot by overhearing experienced colleagues, are missing out.

## What went back

The busiest days in city centres are now Tuesday, Wednesday and Thursday, when offices fill up and cafes do good business. Mondays and Fridays are much quieter, which has created difficult times for the sandwich shops, dry cleaners and other small firms that used to depend on office workers every day of the week.

Some companies have reduced the amount of space they rent, replacing rows of personal desks with shared tables that must be booked in advance. Others are spending money to make their offices more attractive, with better coffee, quiet rooms and spaces for teams to meet.

## What comes next

With the economy slowing, some employers may use the threat of job cuts to push staff back into the office. For now, though, the balance of power has shifted. Many workers say flexibility matters to them almost as much as pay, and companies that ignore that may find it harder to hire.
""",
    },
    {
        "key": "heating-tips",
        "site": "homestead",
        "path": "/energy/cut-your-heating-bill-this-winter",
        "title": "Ten practical ways to cut your heating bill this winter",
        "author": "Ruth Ellison",
        "published": "2022-10-20",
        "body": """
Energy prices have risen faster this year than at any time in living memory, and for many households the cost of heating is now the biggest worry of the winter. There is no single trick that will make the problem go away, but a handful of small changes can add up to a real difference on the bill. Most of the ideas below cost nothing, and the rest pay for themselves quickly.

## Free changes

1. Turn the thermostat down by one degree. For most homes this alone cuts heating use by several percent, and most people barely notice the difference after a few days.
2. Heat the rooms you use, not the whole house. Turn down the radiators in spare bedrooms and keep their doors closed.
3. Close the curtains at dusk. Thick curtains keep a surprising amount of heat in, especially in rooms with old single glazing.
4. Move furniture away from radiators so that warm air can circulate around the room instead of heating the back of a sofa.
5. Set the boiler timer to match your routine. Heating an empty house all day is one of the most common ways money is wasted.

## Cheap changes

6. Fit draught excluders to doors and seal gaps around windows with foam strips. A few pounds of material can stop cold air pouring in.
7. Put reflective panels behind radiators on outside walls so that more heat goes into the room and less into the brickwork.
8. Bleed the radiators if they are cold at the top. Trapped air stops them working properly.
9. Check the flow temperature of a condensing boiler. Many are set far higher than they need to be, and lowering it lets the boiler work more efficiently.
10. Wear a warm jumper and thick socks at home. It sounds obvious, but keeping your body warm is much cheaper than heating the air around it.

## When to ask for help

If you are struggling to pay, contact your energy supplier early. Suppliers are expected to offer payment plans and may know about grants that you are entitled to. Local councils and charities can also help with the cost of insulation, and some offer free home energy checks. Nobody should have to choose between heating and eating, and asking for support is nothing to be embarrassed about.
""",
    },
    {
        "key": "gas-prices-explainer",
        "site": "ledgerlane",
        "path": "/energy-bills/why-gas-prices-spiked-2022",
        "title": "Why European gas prices spiked in 2022, explained simply",
        "author": "Sam Whitfield",
        "published": "2022-11-03",
        "body": """
If you live in Europe, you have probably noticed that heating your home and cooking your dinner became far more expensive this year. The main reason is the price of natural gas, which at one point in the summer was more than ten times higher than its usual level. This post explains, without jargon, why that happened and why the effects are still being felt.

## Europe depended on Russian gas

For decades, many European countries bought a large share of their gas from Russia through long pipelines. Before 2021, Russia supplied roughly forty percent of the gas used in the European Union. Germany, Italy and several countries in central Europe were especially dependent on it.

In the second half of 2021, prices had already started to climb as economies reopened after the first waves of the pandemic and demand for energy recovered. Then, after Russia invaded Ukraine in February 2022, the flow of gas through the pipelines was steadily reduced. By the late summer, deliveries through the most important pipeline to Germany had stopped altogether, and in September explosions damaged the Nord Stream pipelines under the Baltic Sea.

## Filling the gap is expensive

Europe responded by buying liquefied natural gas, which arrives on ships from countries such as the United States and Qatar. That gas is more expensive to produce and transport, and Europe had to outbid buyers in Asia to get it. Governments also asked energy companies to fill storage tanks before the winter, which pushed up demand during the summer, when prices are normally low.

Because gas power stations often set the price of electricity in European markets, expensive gas also meant expensive electricity, even for homes that do not use gas at all.

## Where things stand now

Storage sites across the continent are now almost full, and wholesale prices have fallen from their summer peak. However, the prices paid by households change more slowly, because suppliers buy their energy months in advance. Most governments have introduced price caps or direct payments to soften the blow. The difficult question is next winter, when Europe will have to fill its storage without almost any Russian gas at all.
""",
    },
    {
        "key": "heat-pumps",
        "site": "homestead",
        "path": "/energy/heat-pumps-explained",
        "title": "Heat pumps explained: how they work and whether they are worth it",
        "author": "Ruth Ellison",
        "published": "2022-09-14",
        "body": """
Heat pumps are having a moment. Governments are offering grants to install them, energy companies advertise them on television, and with gas prices so high this year, many people are wondering whether they should replace their boiler. Before you decide, it helps to understand what a heat pump actually does.

## Moving heat instead of making it

A boiler makes heat by burning fuel. A heat pump moves heat that already exists from one place to another, in the same way that your fridge moves heat out of the food compartment and releases it through the coils at the back. An air source heat pump takes heat from the outside air, even on a cold day, and concentrates it so that it can warm the radiators and hot water in your home.

Because it moves heat rather than creating it, a heat pump can deliver about three units of heat for every unit of electricity it uses. Engineers call this the coefficient of performance. It falls on very cold days and rises in milder weather, but over a whole year a well installed system usually averages somewhere around three.

## What makes a good installation

The most important factor is the temperature of the water flowing through your radiators. Heat pumps are most efficient when they produce gently warm water over long periods, instead of very hot water for short bursts. That works best in a home with decent insulation and radiators that are large enough. Sometimes a few radiators need to be replaced with bigger ones.

A good installer will calculate the heat loss of each room before recommending a system. Be cautious of anyone who quotes a price without visiting your home.

## Are they worth it?

The answer depends on your house, your current heating and the price of electricity compared with gas. Installation is more expensive than a new boiler, although grants can close much of the gap. Running costs can be similar to gas or slightly lower, and they fall further if you can use a cheaper overnight tariff. The carbon savings, on the other hand, are large and will grow as more of the electricity supply comes from wind and solar power.
""",
    },
    {
        "key": "us-midterms",
        "site": "civic",
        "path": "/elections/2022-midterms-what-the-results-mean",
        "title": "The 2022 midterms: what the results mean for Congress",
        "author": "Grace Abernathy",
        "published": "2022-11-18",
        "body": """
Midterm elections in the United States usually punish the party that holds the White House. Historically, the president's party has lost an average of more than twenty seats in the House of Representatives in a midterm year. This year was expected to follow that pattern, with high inflation and low approval ratings for President Joe Biden. Instead, the results were much closer than many forecasts suggested.

## The House

Republicans won a narrow majority in the House of Representatives, but it took more than a week of counting before the result was confirmed. Their majority is only a handful of seats. That gives the party control of committees and the power to start investigations, but it also means that a small group of members can block legislation if they disagree with their own leaders.

## The Senate

Democrats kept control of the Senate. They won closely fought races in Arizona and Nevada and gained a seat in Pennsylvania, where Lieutenant Governor John Fetterman defeated the television doctor Mehmet Oz. With Vice President Kamala Harris able to break a tie, Democrats already have the fifty seats they need for control.

One race remains. In Georgia, neither Senator Raphael Warnock nor his Republican challenger Herschel Walker won more than half of the vote, so under state law the two will meet again in a runoff on 6 December. A Warnock win would give Democrats a fifty-one seat majority and a little more room on committees.

## Why the expected wave did not arrive

Exit polls suggest that several issues worked against the usual pattern. Abortion rights motivated many voters after the Supreme Court ended the constitutional right to abortion in June. Some candidates who had denied the result of the 2020 election lost races in competitive states. Turnout among young voters was also relatively high for a midterm.

## What happens next

Divided government usually means that fewer big laws are passed. Expect arguments over the federal budget and the debt ceiling in the coming year, and a long series of hearings led by the new House majority. Both parties will also be studying these results closely as they prepare for the presidential election in 2024.
""",
    },
    {
        "key": "brazil-runoff",
        "site": "civic",
        "path": "/elections/brazil-runoff-lula-returns",
        "title": "Brazil's runoff: Lula returns to the presidency by a narrow margin",
        "author": "Grace Abernathy",
        "published": "2022-10-31",
        "body": """
Luiz Inácio Lula da Silva has won Brazil's presidential election, completing one of the most remarkable political comebacks in recent memory. The former trade union leader, who governed the country from 2003 to 2010 and later spent more than a year and a half in prison before his convictions were annulled, defeated the incumbent president Jair Bolsonaro in Sunday's runoff.

The result was the closest since Brazil returned to democracy in the 1980s. With all votes counted, Lula had about 50.9 percent and Bolsonaro about 49.1 percent, a difference of just over two million votes in an electorate of more than 150 million people.

## A divided country

The map of the result shows a country split in two. Lula won overwhelmingly in the north-east, the poorest region of Brazil, where many families benefited from the social programmes of his earlier governments. Bolsonaro was strongest in the south, in the centre-west farming states, and in many parts of the wealthy south-east.

Brazil's electronic voting system produced results within a few hours of the polls closing, which is much faster than many other large democracies. International observers said the vote had been conducted properly.

## What Lula has promised

During the campaign Lula promised to fight hunger, raise the minimum wage above inflation and bring back programmes that give cash to poor families. He also said he would act to reduce the destruction of the Amazon rainforest, which increased sharply during the last few years. Environmental groups welcomed the result, and several countries that had stopped contributing to a fund for protecting the forest said they were ready to discuss resuming payments.

## The challenges ahead

Lula will take office on 1 January 2023, but he will face a Congress in which parties allied with Bolsonaro won many seats. Passing laws will require difficult negotiations. The economy is also weaker than during his first two terms, when high prices for exports such as iron ore and soybeans helped pay for social spending.

Bolsonaro did not immediately comment on the result, which left many Brazilians waiting anxiously for the rest of the evening. Most of his political allies, however, quickly acknowledged that Lula had won.
""",
    },
    {
        "key": "council-election",
        "site": "northfield",
        "path": "/local/how-council-elections-work",
        "title": "How a local council election actually works",
        "author": "Edward Mills",
        "published": "2022-11-10",
        "body": """
Every few years the people of Northfield are asked to choose the councillors who decide how the town is run, and every few years a large share of them do not bother to vote. Turnout in our last council election was just under one in three. Part of the reason, readers tell us, is that local politics can feel confusing. So before next spring's election, here is a plain guide to how the system works.

## What the council does

The council is responsible for a long list of services that most of us use every week: bin collections, street lighting, parks, libraries, planning permission for new buildings, social care for older and disabled residents, and the maintenance of most local roads. It pays for them with a mix of council tax, business rates and grants from central government.

The town is divided into twelve wards, and each ward elects three councillors. In most years one seat in each ward is up for election, so that a third of the council changes at a time.

## Who can stand and who can vote

Anyone over eighteen who lives or works in the area can stand as a candidate, as long as they collect the signatures of ten registered voters. Candidates can represent a national party, a local group or nobody at all. Last time, two independents were elected on a promise to save the swimming pool.

To vote, you need to be on the electoral register. You can check whether you are registered by contacting the council's elections office, and you can register online in a few minutes. Postal votes are available to anyone who asks for one in time.

## How the count works

After the polling stations close at ten o'clock, the sealed ballot boxes are driven to the sports centre, where staff count the papers by hand through the night. Candidates and their agents are allowed to watch. In each ward, the candidate with the most votes wins, even if that is less than half of the total.

The count is open to accredited observers, and the results are announced from a small stage, usually in the early hours of the morning. We will be there, as always, with live updates for readers who want to stay up.
""",
    },
    {
        "key": "artemis-launch",
        "site": "orbitnotes",
        "path": "/missions/artemis-i-finally-lifts-off",
        "title": "Artemis I finally lifts off on its way to the Moon",
        "author": "Lena Fischer",
        "published": "2022-11-17",
        "body": """
After two scrubbed launch attempts in the summer, two hurricanes and a long series of hydrogen leaks, NASA's Space Launch System rocket finally left the pad at Kennedy Space Center in Florida in the early hours of Wednesday morning. The launch, at 1:47 a.m. local time, lit up the sky along the coast and sent an uncrewed Orion spacecraft on a journey around the Moon.

Artemis I is the first flight of the programme that NASA hopes will return astronauts to the lunar surface later this decade. Nobody is on board this time. Instead, the crew cabin carries a mannequin in a flight suit, fitted with sensors that measure the forces and radiation a human crew would experience, along with two model torsos used to test protective vests.

## A twenty-five day mission

If everything goes to plan, Orion will fly close to the lunar surface in a few days, then enter a wide orbit that takes it tens of thousands of kilometres beyond the Moon, farther than any spacecraft designed to carry humans has ever travelled. After about a week there it will fire its engine again and head home, splashing down in the Pacific Ocean in December.

The most important test comes at the very end. Orion will hit the atmosphere at about eleven kilometres per second, and its heat shield must survive temperatures approaching three thousand degrees Celsius. Engineers cannot fully test that on the ground, which is one reason the first flight carries no crew.

## Why it matters

The rocket has been criticised for years because of its cost and repeated delays. Supporters argue that it is the only vehicle currently able to send Orion and a crew directly to the Moon. The next mission, Artemis II, is planned to carry four astronauts around the Moon, and a later flight aims to land near the lunar south pole, where ice in permanently shadowed craters could one day supply water and fuel.

For now, the mood at mission control is simple relief. After years of waiting, the rocket flew, and the spacecraft is on its way.
""",
    },
    {
        "key": "dart-results",
        "site": "orbitnotes",
        "path": "/missions/dart-nudged-an-asteroid",
        "title": "DART proved we can nudge an asteroid. What did we learn?",
        "author": "Lena Fischer",
        "published": "2022-10-14",
        "body": """
On 26 September, a spacecraft about the size of a small car flew deliberately into a small asteroid called Dimorphos at around six kilometres per second. The mission was NASA's Double Asteroid Redirection Test, better known as DART, and this week the team confirmed that it worked better than most people had hoped.

Dimorphos is a moonlet about 160 metres across that orbits a larger asteroid called Didymos. Neither of them poses any danger to Earth, which is exactly why they were chosen. Because Dimorphos circles its companion, astronomers can measure very small changes in its orbit by watching how the combined brightness of the pair changes over time.

## Thirty-two minutes

Before the impact, Dimorphos took eleven hours and fifty-five minutes to complete one orbit. Observations from telescopes in Chile and South Africa now show that the orbit has been shortened by about thirty-two minutes. The minimum change needed to count as a success was seventy-three seconds.

The result is larger than a simple calculation would predict, and the reason seems to be the debris. Images from a small Italian spacecraft called LICIACube, which flew past a few minutes after the impact, and later from the Hubble and James Webb space telescopes, show a long tail of rock and dust thrown off the asteroid. That material acted a bit like the exhaust of a rocket, adding to the push.

## What comes next

Planetary defence is not only about having the right spacecraft. It depends on finding dangerous asteroids decades before they could hit us, so that a small push can be applied early. Several new survey telescopes are being built for exactly that purpose.

The European Space Agency is also preparing a follow-up mission called Hera, which will visit Didymos and Dimorphos later in the decade to measure the crater, the mass of the moonlet and the exact effect of the impact. Those measurements will help scientists work out how future deflection missions should be designed.

For now, DART has shown for the first time that humans can change the motion of a natural object in space. That is a genuinely new ability, and a reassuring one.
""",
    },
    {
        "key": "jwst-year",
        "site": "orbitnotes",
        "path": "/explainers/james-webb-first-images",
        "title": "Almost a year of James Webb: what the telescope has shown us so far",
        "author": "Arjun Mehta",
        "published": "2022-11-23",
        "body": """
It is almost a year since the James Webb Space Telescope left Earth on an Ariane 5 rocket from French Guiana on Christmas Day 2021. At the time, many astronomers admitted they were nervous. The telescope had to unfold its sunshield and its golden mirror in space through hundreds of separate steps, and any one of them could have ended the mission. In the end, everything worked.

Webb orbits the Sun around a point about one and a half million kilometres from Earth, where it can keep its instruments extremely cold behind a sunshield the size of a tennis court. Its main mirror, made of eighteen hexagonal segments, is six and a half metres across, far larger than the mirror of the Hubble Space Telescope.

## The first pictures

The first full-colour images were released in July. A deep field showed a cluster of galaxies called SMACS 0723, whose gravity bends and magnifies the light of much more distant galaxies behind it. There was a detailed view of the Carina Nebula, where new stars are forming inside walls of gas and dust, a picture of a group of five galaxies known as Stephan's Quintet, and an image of a dying star surrounded by shells of gas. The team also released the spectrum of a giant exoplanet, showing clear signs of water vapour in its atmosphere.

## Why infrared matters

Webb sees mostly infrared light, which has longer wavelengths than the light our eyes detect. That lets it look through clouds of dust that hide young stars, and it lets it see the very earliest galaxies, whose light has been stretched into the infrared by the expansion of the universe. Within weeks of the first images, astronomers were already reporting candidate galaxies that existed only a few hundred million years after the Big Bang.

## What is next

Most of Webb's time is now given to research programmes chosen through a competitive process. They range from studying the atmospheres of small rocky planets to mapping the icy moons of Jupiter and Saturn. Because the launch was so accurate, the telescope saved fuel, and the team now expects it to operate for well over ten years.
""",
    },
    {
        "key": "spot-the-iss",
        "site": "trailhead",
        "path": "/night-sky/how-to-spot-the-space-station",
        "title": "How to spot the International Space Station from your back garden",
        "author": "Ben Carter",
        "published": "2022-11-05",
        "body": """
The first time I saw the International Space Station, I assumed it was a plane. It was a bright, steady point of light moving across the sky a little after sunset, with no blinking lights and no sound. Then I realised it was moving too smoothly and too quickly, and that there were people on board looking down at the same town I was standing in. It is still one of my favourite things to show friends, and you do not need a telescope or any special equipment.

## When to look

The station orbits the Earth about once every ninety minutes, but you can only see it at certain times. It has to be dark where you are, while the station itself, hundreds of kilometres up, is still lit by the Sun. That means the best sightings happen in the hour or two after sunset or before sunrise.

Several websites and free phone apps will tell you exactly when the station will pass over your location, which direction it will appear from, and how high in the sky it will climb. Look for passes where the maximum height is more than about forty degrees above the horizon, because those are the brightest and easiest to spot.

## What to expect

- The station appears as a bright white dot, often brighter than any star, moving steadily from the west towards the east.
- A good pass lasts about four to six minutes from one horizon to the other.
- It does not blink. If you see flashing red or green lights, you are looking at an aircraft.
- Sometimes it fades away in the middle of the sky. That is the moment it enters the shadow of the Earth.

## Making it special

Children love waving at the astronauts, even though nobody can see them. If you have a camera that can take long exposures, put it on a tripod and leave the shutter open for twenty or thirty seconds while the station passes. You will get a beautiful streak of light across the stars. And if the weather is cloudy tonight, do not worry: the station will be back in a day or two.
""",
    },
    {
        "key": "eight-billion",
        "site": "brightwater",
        "path": "/world/2022/11/world-population-eight-billion",
        "title": "World population reaches eight billion, says the United Nations",
        "author": "Hannah Price",
        "published": "2022-11-15",
        "body": """
The number of people alive on Earth reached eight billion on Tuesday, according to estimates from the United Nations. The organisation chose the date symbolically, since nobody can know exactly when the eight billionth person was born, but demographers agree that the milestone was passed sometime around now.

The world reached seven billion people in 2011, so the latest billion took about eleven years to add. That is a sign of continuing growth, but also of slowing growth. Population increases are now much smaller in percentage terms than they were in the 1960s, when the world was adding people faster than at any other time in history.

## Why the growth is slowing

The main reason is that families in most countries are having fewer children. The average number of births per woman worldwide has fallen to about 2.3, close to the level needed to keep a population stable in the long run. In many countries, including much of Europe, East Asia and the Americas, it is already well below that level.

At the same time, people are living much longer. Better healthcare, clean water, vaccination and improved nutrition have raised life expectancy around the world, and the number of older people is rising quickly. The United Nations expects the global population to keep growing for several more decades and to peak at around ten billion in the 2080s.

## Where the growth is happening

More than half of the expected increase between now and 2050 will come from just eight countries, most of them in Africa and South Asia. India is expected to overtake China as the most populous country in the world next year. The populations of dozens of other countries, including China, Japan and Italy, are already shrinking.

## What it means

The secretary-general of the United Nations described the milestone as a moment to celebrate the achievements of science and medicine, and a reminder of our shared responsibility for the planet. Experts point out that the impact of a population on the environment depends less on the number of people than on how much each person consumes, and the richest countries consume by far the most.
""",
    },
    {
        "key": "cop27",
        "site": "northfield",
        "path": "/climate/cop27-loss-and-damage-fund",
        "title": "COP27 ends with a deal on a loss and damage fund",
        "author": "Edward Mills",
        "published": "2022-11-21",
        "body": """
The United Nations climate conference in Sharm el-Sheikh, Egypt, ended on Sunday morning, more than a day later than planned, with an agreement that many delegates called historic and many campaigners called incomplete. For the first time, the world's governments agreed to set up a fund to help poorer countries pay for the loss and damage caused by climate change.

The idea has been discussed for about thirty years. Countries that have contributed very little to global warming, such as small island states and much of Africa, are suffering some of its worst effects, from rising seas to floods and droughts. They have long argued that the rich countries which produced most of the historical emissions should help pay for the damage. This summer's floods in Pakistan, which covered a third of the country, gave the argument new urgency.

## What was agreed

The agreement creates the fund but leaves most of the details for later. A committee will spend the next year working out who should pay into it, which countries can receive money and how it should be managed. Some wealthy nations want large emerging economies, such as China, to contribute as well.

## What was not agreed

Many countries had hoped the conference would go further on cutting emissions. A proposal to call for a phase-down of all fossil fuels, not just coal, did not make it into the final text. The agreement repeats the goal of limiting warming to 1.5 degrees Celsius, but scientists say current national plans are far from enough to meet it.

## A local view

Several Northfield residents travelled to Egypt with church groups and environmental charities. One of them, a retired geography teacher, told the Courier that the fund was the first time she had seen a climate conference respond directly to the people most affected. She said that the real test will be whether the money actually arrives.

The next conference, COP28, will be held in the United Arab Emirates at the end of 2023.
""",
    },
    {
        "key": "interest-rates",
        "site": "ledgerlane",
        "path": "/mortgages/interest-rates-rising-what-it-means",
        "title": "Interest rates keep rising: what it means for your mortgage",
        "author": "Sam Whitfield",
        "published": "2022-11-07",
        "body": """
Central banks around the world have been raising interest rates quickly this year to fight inflation. The Bank of England raised its main rate to three percent at the start of November, the largest single increase in more than thirty years, and the United States Federal Reserve has made a series of similarly large moves. If you have a mortgage, or are hoping to get one, you are probably wondering what this means for you.

## Why rates are going up

When prices are rising fast, central banks raise interest rates to make borrowing more expensive and saving more attractive. The idea is that people and businesses will spend a little less, which reduces the pressure on prices. It is a blunt tool, and it works slowly, often taking a year or more to have its full effect.

## If you have a fixed rate

If your mortgage rate is fixed, your monthly payments will not change until the fixed period ends. The important date is the end of that deal. Many lenders let you secure a new rate up to six months in advance, so it is worth checking the date now and starting to compare offers early. If rates fall before your deal ends, you can usually still switch to a cheaper offer.

## If you have a variable rate

Tracker and standard variable rate mortgages usually rise soon after each increase in the central bank rate. Work out how much your payments would change if rates went up by another one or two percentage points, and look at your budget to see where that money would come from.

## If you are buying

Higher rates mean that the same monthly payment now buys a smaller loan than it did a year ago. Lenders are also testing more carefully whether borrowers could cope if rates rose further. A larger deposit, a good credit record and a clear picture of your spending will all help.

## Do not panic

Decisions made in a hurry are often expensive ones. If you are worried, speak to your lender early or to an independent mortgage adviser. Lenders have said they would rather agree a temporary arrangement with a borrower than see them fall behind with payments.
""",
    },
    {
        "key": "weekly-shop",
        "site": "ledgerlane",
        "path": "/budgeting/stretch-the-weekly-shop",
        "title": "Inflation and the weekly shop: how to make your budget stretch further",
        "author": "Amira Hassan",
        "published": "2022-10-27",
        "body": """
Food prices have risen faster this year than at any point in the last four decades. Staples such as bread, milk, pasta and cooking oil have gone up the most, and many families have found that the same trolley of shopping now costs a fifth more than it did last winter. You cannot control the prices on the shelves, but you can control how you plan, shop and cook. These are the habits that have helped our readers the most.

## Plan before you go

Write a simple meal plan for the week and build your shopping list from it. Check the fridge and cupboards before you leave, because the cheapest food is the food you already own. A list also protects you from the offers placed near the entrance, which are designed to make you buy things you did not intend to.

## Compare by unit price

Supermarket labels show the price per kilogram or per litre in small print under the main price. That is the number to compare. Large packs are not always cheaper per kilogram, and special offers sometimes cost more per unit than the normal product on the shelf below.

## Try the cheaper brands

Moving from branded products to supermarket own brands, or from the standard range to the basic range, can cut the cost of a shop significantly. Try one product at a time. In blind tastings, most people cannot tell the difference for things like tinned tomatoes, flour, rice or frozen vegetables.

## Cook once, eat twice

Batch cooking saves both money and energy. A large pot of chilli, curry or soup can feed a family for two evenings, with portions left to freeze. Frozen vegetables are often cheaper than fresh, just as nutritious, and they do not go off at the back of the fridge.

## Waste less

The average household throws away a surprising amount of food that could have been eaten. Store food properly, use leftovers for lunches, and understand the difference between a use-by date, which is about safety, and a best-before date, which is only about quality. Bread and milk can often be frozen. Small changes like these add up to real savings over a year.
""",
    },
    {
        "key": "sourdough-starter",
        "site": "greenfork",
        "path": "/baking/how-to-make-a-sourdough-starter",
        "title": "How to make a sourdough starter from scratch",
        "author": "Maya Lindqvist",
        "published": "2022-09-30",
        "body": """
A sourdough starter is simply a mixture of flour and water in which wild yeasts and friendly bacteria have made themselves at home. Once it is active, it can raise bread without any packet yeast at all, and it gives the loaf its gentle sour flavour and chewy crust. Making one takes about a week of patience, but very little actual work.

## What you need

- A clean glass jar with a loose lid, about one litre in size.
- Wholemeal or rye flour to begin with, and plain white bread flour for feeding later.
- Water at room temperature. If your tap water is heavily chlorinated, leave it out in a jug overnight first.
- A kitchen scale, because measuring by weight is much more reliable than using cups.

## Day one

Mix fifty grams of wholemeal flour with fifty grams of water in the jar until no dry flour remains. Scrape down the sides, cover the jar loosely and leave it somewhere warm, ideally around twenty-four degrees. A shelf near the oven or on top of the fridge often works well.

## Days two to seven

Every day, at about the same time, throw away all but fifty grams of the mixture and feed what is left with fifty grams of flour and fifty grams of water. For the first few days you may see a burst of bubbles followed by a quiet period. That is normal. The early bubbles come from bacteria that do not last, and the yeast takes a few more days to become established.

By the end of the week the starter should rise and roughly double in size within six to eight hours of a feed, smell pleasantly sour, a little like yoghurt, and be full of bubbles. Once it does that reliably, it is ready to bake with.

## Looking after it

If you bake every day, keep the starter on the counter and feed it daily. If you bake once a week, store it in the fridge and feed it once a week, then give it a feed or two at room temperature before baking. A layer of grey liquid on top simply means it is hungry. Pour it off, feed the starter, and it will usually recover within a day.
""",
    },
    {
        "key": "lentil-soup",
        "site": "greenfork",
        "path": "/weeknight/simple-red-lentil-soup",
        "title": "A simple red lentil soup for cold weeknights",
        "author": "Maya Lindqvist",
        "published": "2022-11-12",
        "body": """
This is the soup I make when it is dark by five o'clock, everyone is tired and the fridge looks empty. It uses ingredients that sit quietly in the cupboard for months, it costs very little, and it is ready in about half an hour. Red lentils break down as they cook, so the soup becomes thick and creamy without any cream at all.

## Ingredients for four bowls

- Two tablespoons of olive oil
- One large onion, one carrot and two sticks of celery, finely chopped
- Three cloves of garlic and a thumb of fresh ginger, grated
- Two teaspoons of ground cumin and one teaspoon of smoked paprika
- Two hundred and fifty grams of red lentils, rinsed
- One tin of chopped tomatoes and about a litre of vegetable stock
- The juice of half a lemon, salt, pepper and a handful of fresh coriander

## Method

Warm the oil in a large pan over a medium heat and add the onion, carrot and celery with a pinch of salt. Cook them gently for about eight minutes, stirring now and then, until they are soft and sweet but not brown. Add the garlic, ginger and spices and cook for one more minute, until the kitchen smells wonderful.

Tip in the lentils, the tomatoes and most of the stock. Bring everything to the boil, then lower the heat and let it simmer for about twenty minutes, stirring occasionally so that the lentils do not stick to the bottom of the pan. Add more stock if it becomes too thick.

When the lentils have completely softened, you can blend half of the soup for a smoother texture, or leave it rustic. Season with salt, pepper and the lemon juice, which lifts all the other flavours. Scatter the coriander over the top just before serving.

## Variations

For a richer soup, stir in a spoonful of coconut milk at the end. A handful of spinach added in the last few minutes makes it greener and more filling. The soup keeps well in the fridge for three days and freezes perfectly, so I usually make a double batch and save some for a future evening when cooking feels impossible.
""",
    },
    {
        "key": "python-venv",
        "site": "tinkerbench",
        "path": "/guides/python-virtual-environments-for-beginners",
        "title": "Getting started with Python virtual environments",
        "author": "Chris Novak",
        "published": "2022-08-22",
        "body": """
If you have written more than a couple of Python projects, you have probably met this problem. One project needs an old version of a library, another needs the newest one, and installing either of them breaks the other. Virtual environments solve this by giving each project its own private set of installed packages. They are built into Python, they take seconds to create, and once you start using them you will wonder how you managed without.

## What a virtual environment is

A virtual environment is just a folder. Inside it there is a link to a Python interpreter and a place where packages get installed. When the environment is active, running Python or pip uses that folder instead of the system-wide installation. Nothing outside the folder is changed, so you can delete it at any time and start again.

## Creating one

Open a terminal in your project folder and run the venv module that ships with Python, giving it the name of a folder to create. Most people call the folder venv or .venv. The command finishes in a few seconds.

## Activating it

On Linux and macOS you activate the environment by sourcing the activate script inside its bin folder. On Windows the script lives in a folder called Scripts instead. Once it is active, your prompt usually shows the name of the environment, and any packages you install with pip go into the project folder.

When you are finished, type deactivate to return to the normal system Python.

## Recording what you installed

To let other people recreate your environment, list your dependencies in a requirements file or in the project's configuration file. Modern projects usually declare them in a file called pyproject.toml. Pin exact versions when you need repeatable results, for example in an application that you deploy, and allow a range of versions in a library that other people will install alongside their own packages.

## A few good habits

- Create a fresh environment for every project instead of sharing one.
- Never commit the environment folder to version control. Add it to your ignore file.
- If something behaves strangely, deleting the environment and creating it again is often the quickest fix.
- Use the same Python version as your production system to avoid surprises later.
""",
    },
    {
        "key": "slow-wifi",
        "site": "tinkerbench",
        "path": "/networking/why-is-my-wifi-slow",
        "title": "Why your Wi-Fi is slow and how to fix it",
        "author": "Chris Novak",
        "published": "2022-10-03",
        "body": """
Slow Wi-Fi is one of the most common complaints we hear from readers, and it is rarely caused by a single thing. Before you pay for a faster broadband package or buy an expensive new router, it is worth spending half an hour working out where the problem actually is. Very often the fix is free.

## First, test the connection properly

Plug a laptop directly into the router with a network cable and run a speed test. Then run the same test over Wi-Fi, standing next to the router, and again in the room where things feel slow. If the cable result is already poor, the problem is your broadband line, and you should contact your provider. If the cable is fast but the wireless results get worse with distance, the problem is the wireless network in your home.

## Move the router

Routers are often hidden in a cupboard or behind the television, next to the socket where the line comes into the house. Radio signals are weakened by walls, floors, mirrors, fish tanks and large metal objects. Moving the router to a higher, more central and open position can make a dramatic difference.

## Choose the right band

Most modern routers broadcast on two frequency bands. The 2.4 gigahertz band travels further and passes through walls more easily, but it is slower and often crowded by neighbouring networks. The 5 gigahertz band is much faster over short distances. Devices that stay close to the router, such as a television or a games console, should use the faster band.

## Reduce interference

In a block of flats, dozens of networks may be competing for the same channels. Your router's settings page may let you choose a less crowded channel, or select one automatically. Baby monitors, cordless phones and even microwave ovens can also interfere with the older band.

## When to add equipment

In a large or old house with thick walls, a single router may never cover every room well. A mesh system, which uses several small units that work together, is usually the best solution. Powerline adapters, which send the network signal through your electrical wiring, can also work well for a distant room. Finally, remember to restart the router occasionally and install its updates, because outdated firmware can cause both slow speeds and security problems.
""",
    },
    {
        "key": "photo-backups",
        "site": "tinkerbench",
        "path": "/guides/backing-up-your-photos-a-practical-plan",
        "title": "Backing up your photos: a practical plan that you will actually follow",
        "author": "Priya Kaur",
        "published": "2022-07-18",
        "body": """
Most of us now have thousands of photos on our phones and laptops, and many of them exist in only one place. Phones get lost, laptops get stolen, and hard drives fail without warning. The good news is that protecting your pictures does not require expensive equipment or a degree in computing. It requires a simple plan and a little automation, so that the backups happen even when you forget.

## The three-two-one rule

Professional photographers have followed the same rule for years. Keep three copies of anything important, on two different kinds of storage, with one copy in a different place. For most families that means the original photos on a phone or computer, a copy on an external drive at home, and a copy in a cloud storage service.

## Automate the cloud copy

The most important step is to turn on automatic upload on every phone in the house. Both major phone systems can copy new photos to cloud storage whenever the phone is charging and connected to Wi-Fi. Check that it really is working by looking for a recent picture on the website of the service. Free storage fills up quickly, so you may need to pay a small monthly fee.

## Keep a local copy as well

Cloud accounts can be locked, services can close, and it is easy to delete a photo everywhere by accident. An external hard drive kept at home gives you a second, independent copy. Many computers include software that backs up to an external drive automatically every hour while it is connected. Set a reminder to plug it in once a week.

## Test your backups

A backup that you have never tested is only a hope. Every few months, pick a handful of old photos and try to restore them from each copy. Check that they open properly and are not tiny preview versions.

## Sort later, protect now

People often delay backups because their photo collection feels too messy to organise. Do not wait. Get everything safely copied first, and sort it into folders and albums gradually, perhaps on a rainy afternoon with a cup of tea. The memories are irreplaceable, and the tidying can always happen later.
""",
    },
    {
        "key": "winter-hiking",
        "site": "trailhead",
        "path": "/hiking/beginners-guide-to-winter-hiking",
        "title": "A beginner's guide to winter hiking",
        "author": "Ben Carter",
        "published": "2022-11-01",
        "body": """
Winter is my favourite season for walking in the hills. The paths are quiet, the air is clear, and on a cold, bright morning the views stretch further than at any other time of year. But the short days and changeable weather also make winter more demanding than a summer stroll, and a walk that would be easy in July can become serious in January. Here is how to start safely.

## Plan around the daylight

In the middle of winter there may be only seven or eight hours of usable light. Choose shorter routes than you would in summer, start early, and decide in advance on a turnaround time, the moment when you will head back whether or not you have reached the top. Always carry a head torch with fresh batteries, even on a short walk.

## Check the forecast, then check it again

Mountain weather forecasts give much more detail than general ones, including wind speed on the summits and the temperature it will feel like. Strong wind is often more dangerous than cold, because it makes walking exhausting and quickly cools the body. If the forecast looks doubtful, choose a lower route through woods or along a valley instead.

## Dress in layers

- A thin base layer that moves sweat away from your skin. Avoid cotton, which stays wet.
- A warm middle layer, such as a fleece or a light insulated jacket.
- A waterproof and windproof outer jacket, plus waterproof trousers.
- A hat, gloves and a spare pair of gloves in your pack, because wet gloves are miserable.

Start walking slightly cold. You will warm up within ten minutes, and overheating on the first climb soaks your clothes in sweat.

## Food, water and emergency kit

Eat little and often, and carry a flask of something hot. Pack a map and compass and know how to use them, because phone batteries drain quickly in the cold. A small first aid kit, a foil blanket and a fully charged phone complete the basics.

## Know when to learn more

Paths covered in snow and ice need crampons and an ice axe, and, more importantly, the skills to use them. If you want to go higher in full winter conditions, a course with a qualified mountain leader is the best money you will spend.
""",
    },
    {
        "key": "lisbon-budget",
        "site": "trailhead",
        "path": "/travel/three-days-in-lisbon-on-a-budget",
        "title": "Three days in Lisbon on a budget",
        "author": "Sofia Marques",
        "published": "2022-10-09",
        "body": """
Lisbon is built on seven hills above the wide mouth of the river Tagus, and after three days of walking up and down them my legs were tired but my wallet was in surprisingly good shape. Compared with most western European capitals, the city is still affordable if you eat where the locals eat and walk wherever you can. Here is how I spent a long weekend there without spending much.

## Day one: Alfama and the castle

I started in Alfama, the oldest neighbourhood, where narrow lanes and steep staircases climb towards the castle. Getting lost here is half the fun. Viewpoints called miradouros appear suddenly between the houses, with views over red roofs to the river. They are free and most are far less crowded early in the morning. In the evening I ate grilled sardines and a salad at a small family restaurant for the price of a sandwich at home.

## Day two: Belém

Belém, a few kilometres west along the river, is home to the great monastery, the riverside tower and the famous custard tarts. The tarts are cheap and worth the queue. I bought a day ticket for public transport, which covered the tram out to Belém and the buses back, and spent the afternoon walking along the waterfront.

## Day three: markets and a ferry

The big food market near the river has expensive stalls for visitors, but the traditional market hall beside them still sells fruit, cheese and bread at normal prices. I made a picnic and took the ferry across the river to Cacilhas, which costs very little and gives one of the best views of the city from the water.

## Money-saving tips

- Lunch is the main meal for many workers, and many cafes offer a fixed-price dish of the day that is much cheaper than dinner.
- A rechargeable transport card saves money on every journey. The famous yellow trams are beautiful but slow and crowded, so walking is often quicker.
- Many museums have free entry on Sunday mornings for residents and reduced prices for students.
- Tap water is safe to drink, so carry a bottle and refill it.
""",
    },
    {
        "key": "planting-garlic",
        "site": "homestead",
        "path": "/garden/planting-garlic-in-autumn",
        "title": "Planting garlic in autumn for a summer harvest",
        "author": "Tom Brennan",
        "published": "2022-10-16",
        "body": """
Garlic is one of the easiest crops you can grow, and one of the most rewarding. It takes up little space, rarely suffers from pests, and a single bulb planted in autumn turns into a dozen new bulbs by the following summer. If you have never grown anything before, this is a very good place to start.

## Why autumn?

Garlic needs a period of cold weather to grow well. When the cloves spend a few weeks in cold soil, they are triggered to split into separate cloves later on. Bulbs planted in spring often produce a single round bulb instead of a proper head. In most temperate climates the best time to plant is from October to early December, while the soil is still workable.

## Choosing your garlic

Buy seed garlic from a garden centre or a specialist supplier instead of using bulbs from the supermarket. Seed garlic is checked for disease and selected for your climate. Softneck varieties store for a long time and do well in mild areas. Hardneck varieties have stronger flavours and cope better with harsh winters, and they produce edible flower stalks in early summer.

## Planting

1. Choose a sunny spot with soil that drains well. Garlic hates sitting in wet ground over winter.
2. Dig in some well-rotted compost, but avoid fresh manure.
3. Break the bulbs into individual cloves just before planting, keeping the papery skin on.
4. Push each clove into the soil, pointed end upwards, so that the tip is about three centimetres below the surface.
5. Space the cloves about fifteen centimetres apart, in rows about thirty centimetres apart.

## Through the winter and spring

Green shoots may appear within a few weeks. Birds sometimes pull newly planted cloves out of the ground, so a layer of garden fleece can help at first. Keep the bed free of weeds, because garlic does not compete well. Water during dry spells in spring, but stop watering once the leaves begin to turn yellow.

## Harvesting

The bulbs are usually ready between June and August, when about half of the leaves have turned brown. Lift them gently with a fork and dry them somewhere airy and out of direct sunlight for a few weeks before storing.
""",
    },
    {
        "key": "nutrition-labels",
        "site": "clinic",
        "path": "/nutrition/how-to-read-a-nutrition-label",
        "title": "How to read a nutrition label without a calculator",
        "author": "Nurse Priya Raman",
        "published": "2022-06-28",
        "body": """
Most packaged food carries a nutrition label, but many people find them confusing. The numbers are printed in small type, portion sizes vary from brand to brand, and the label often sits on the back of the pack next to a long list of ingredients. With a little practice, though, you can learn to read the important parts in a few seconds.

## Start with the portion size

Every label shows the amount of energy and nutrients in a fixed quantity of food, usually per hundred grams and often per portion as well. The portion chosen by the manufacturer may be much smaller than what you actually eat. A bag of crisps that looks like one snack might be labelled as two portions. Comparing values per hundred grams is the fairest way to compare different products.

## Energy

Energy is shown in kilojoules and kilocalories. Most adults need roughly two thousand kilocalories a day, although this varies with age, size and activity. The label helps you see which foods are dense in energy and which are not.

## Fat, sugar and salt

In many countries the front of the pack uses a traffic light system. Red means the food is high in that nutrient, amber medium and green low. You do not have to avoid red foods completely, but it helps to choose mostly green and amber ones and to eat red ones less often or in smaller amounts.

Pay particular attention to saturated fat, sugars and salt. Sugar includes both natural sugars, such as those in milk and fruit, and added sugars. The ingredients list can help you tell them apart, because ingredients are listed in order of weight. If sugar, or another name for sugar such as glucose syrup, appears near the top, the product contains a lot of it.

## Fibre and protein

Many labels also show fibre and protein. Most people eat less fibre than recommended, so choosing bread, cereals and snacks with more fibre is an easy improvement.

## Keep it in perspective

Labels are a useful tool, not a rulebook. A healthy diet is mostly built from foods that do not need labels at all, such as vegetables, fruit, beans, whole grains, eggs and fish.
""",
    },
    {
        "key": "sleep-matters",
        "site": "clinic",
        "path": "/sleep/why-sleep-matters-more-than-you-think",
        "title": "Why sleep matters more than you think",
        "author": "Dr Tomás Herrera",
        "published": "2022-09-05",
        "body": """
When life gets busy, sleep is often the first thing people give up. We stay up late to finish work, scroll through our phones in bed, and promise ourselves that we will catch up at the weekend. Yet research over the last twenty years has shown that sleep is not wasted time. It is when the body and brain carry out essential maintenance, and regularly missing it has real consequences for health.

## What happens while we sleep

During the night the brain cycles through several stages of sleep, each lasting roughly ninety minutes. Deep sleep, which is most common early in the night, helps the body repair tissues and strengthens the immune system. Dream sleep, which becomes longer towards the morning, seems to play an important role in memory and in processing emotions. Waking up too early cuts short the later cycles.

## How much is enough?

Most adults need between seven and nine hours a night. Teenagers need more, and many of them get much less, partly because their body clocks naturally shift later during adolescence. Older adults often sleep more lightly and wake more often, but their need for sleep does not disappear.

## The effects of too little

Even one night of poor sleep affects concentration, reaction times and mood. Over months and years, regular short sleep is linked to a higher risk of heart disease, type 2 diabetes, depression and weight gain. Tired drivers are also a serious danger on the roads.

## Habits that help

- Go to bed and get up at similar times every day, including weekends.
- Get outside in daylight in the morning. Light is the strongest signal for setting the body clock.
- Avoid caffeine after the early afternoon, because its effects last for many hours.
- Keep the bedroom cool, dark and quiet, and keep screens out of bed if you can.
- If you cannot sleep after about twenty minutes, get up and do something calm in dim light until you feel sleepy.

## When to see a doctor

If you snore loudly and feel exhausted during the day, or if poor sleep has lasted for more than a few weeks, talk to your doctor. Conditions such as sleep apnoea and insomnia are common and can be treated.
""",
    },
    {
        "key": "tool-library",
        "site": "northfield",
        "path": "/local/library-lends-tools",
        "title": "The town library that now lends drills, ladders and sewing machines",
        "author": "Jenny Walsh",
        "published": "2022-11-14",
        "body": """
Northfield Library has always lent books, and for several years it has lent audiobooks and laptops as well. Since September it has also been lending power drills, ladders, sewing machines, carpet cleaners, a pressure washer and more than a hundred other tools. The new tool library, in a converted storeroom behind the children's section, has become one of the most popular services in the building.

The idea came from a group of volunteers who noticed how many households own a drill that is used for only a few minutes each year. With a grant from the town council and donations from residents, they bought and repaired the first collection of tools over the summer. Members pay a small annual fee, which is waived for people on low incomes, and can borrow up to three items at a time for a week.

## Saving money and space

"Most people do not need to own a wallpaper steamer," said Carol Adeyemi, one of the volunteers who runs the scheme on Saturday mornings. "They need one for one weekend, every five years. Buying it costs a lot, and then it sits in the garage." She said the most borrowed items so far have been the carpet cleaner, the hedge trimmer and a set of camping equipment that families take away during school holidays.

Each tool is checked and cleaned when it comes back. A retired electrician tests all the electrical items, and volunteers run short sessions on how to use some of the more complicated equipment safely.

## More than tools

Staff say the tool library has brought new people into the building. Some members had not visited the library since they were children, and several have since signed up for a library card and started borrowing books again. The Saturday repair sessions, in which volunteers help people fix broken lamps, toasters and clothes, now regularly attract a queue.

The volunteers hope to add gardening tools in the spring and would like to hear from anyone willing to donate good quality equipment they no longer use. Membership forms are available at the front desk.
""",
    },
    {
        "key": "repair-cafes",
        "site": "brightwater",
        "path": "/features/2022/10/repair-cafes-spreading-across-europe",
        "title": "Repair cafés are spreading across Europe as prices rise",
        "author": "Oliver Grant",
        "published": "2022-10-22",
        "body": """
On a Saturday morning in a church hall, a retired engineer is opening up a broken toaster while its owner watches. At the next table, a volunteer threads a sewing machine to mend a torn pair of jeans. Across the room, a teenager is helping an older man replace the cracked screen on his phone. This is a repair café, and there are now thousands of them across Europe.

The first one opened in Amsterdam in 2009. The idea is simple: volunteers with practical skills offer their time for free, visitors bring broken household items, and the two work on the repair together. There is usually tea, coffee and cake, and a jar for donations. Organisers say that about two thirds of the items brought in leave in working order.

## Why they are growing

Interest has increased sharply this year as the cost of living has risen. Many people simply cannot afford to replace a washing machine or a vacuum cleaner, and repairing it for the price of a spare part is a much better option. Others come because they dislike throwing things away. Electrical and electronic waste is one of the fastest growing types of rubbish in the world, and only a small share of it is properly recycled.

## A right to repair

Repair cafés have also become part of a wider campaign. Volunteers often complain that modern products are hard to open, that spare parts are expensive or unavailable, and that manuals are kept secret. The European Union has introduced rules requiring manufacturers of some appliances, such as washing machines and refrigerators, to make spare parts available for several years, and is discussing further rules for phones and laptops.

## Learning together

For many visitors, the best part is learning. "I used to think that I could never fix anything," said one woman in Bristol, who now volunteers herself after learning to repair her own lamp. "It turns out most things break in quite simple ways." Organisers say the cafés also bring together neighbours of all ages who might otherwise never meet.
""",
    },
    {
        "key": "language-learning",
        "site": "brightwater",
        "path": "/science/2022/09/learning-a-language-as-an-adult",
        "title": "Learning a language as an adult: what the research actually says",
        "author": "Hannah Price",
        "published": "2022-09-19",
        "body": """
Many adults believe that learning a new language is something you have to do as a child, and that after a certain age the door quietly closes. The research tells a more hopeful and more complicated story. Children do have some advantages, but adults have advantages of their own, and people of every age can learn to communicate well in a second language.

## Where children have the edge

Children who grow up hearing a language from an early age usually end up with a native accent and an intuitive feel for its grammar. Large studies suggest that the ability to reach a completely native level of grammar declines gradually from late childhood into the late teens. Accent is the area where early exposure matters most.

But most adult learners do not need to sound exactly like a native speaker. They want to order food, make friends, read the news or work in another country. For those goals, the picture is very different.

## Where adults have the edge

Adults already understand how language works. They can use grammar explanations, dictionaries and translation, they can organise their own study, and they often have clear reasons for learning. In the early stages, adults usually make faster progress than young children exposed to the same amount of teaching.

## What works

- Regular practice beats occasional long sessions. Twenty minutes every day is better than three hours once a week.
- Listening to a lot of understandable material, such as podcasts, series and graded readers, builds vocabulary and a feel for the language.
- Speaking early, even badly, helps. Mistakes are part of learning, not proof of failure.
- Reviewing words at increasing intervals, as many flashcard apps do, helps them move into long-term memory.

## Motivation matters most

The strongest predictor of success in studies of adult learners is often simply how much time they spend with the language, and that depends on motivation. People who connect learning to something they care about, such as a partner's family, a favourite writer or a planned move abroad, tend to keep going. It is never too late to start, as long as you find a reason to continue.
""",
    },
]

# Near-duplicate of "eight-billion": the same wire story republished by another paper with a few words changed.
EIGHT_BILLION_EDITS: list[tuple[str, str]] = [
    (
        "on Tuesday, according to estimates from the United Nations",
        "this week, according to estimates from the United Nations",
    ),
    ("so the latest billion took about eleven years to add", "which means the latest billion took about eleven years"),
    ("close to the level needed", "not far from the level needed"),
    ("India is expected to overtake China", "India is likely to overtake China"),
    ("Experts point out", "Researchers point out"),
]

# Near-duplicate of "heating-tips": republished elsewhere with an extra closing section.
HEATING_TIPS_NEW_ENDING = """
## More help this winter

Brightwater Daily readers can find a list of local warm spaces, grants for insulation and free energy advice sessions on our cost of living page, which we update every week. If you have a tip that has worked in your own home, write to us and we may include it in a future article.
"""

# The refetched midterms page: same URL crawled again after the Georgia runoff, with an update at the top.
MIDTERMS_UPDATE = (
    "Update, 7 December: Senator Raphael Warnock won the Georgia runoff on Tuesday, defeating Herschel Walker "
    "and giving Democrats a fifty-one seat majority in the Senate for the next two years."
)
