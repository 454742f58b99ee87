"""Name pools for the synthetic caseload, most frequent first within each list.

The order matters: :mod:`bench.matching.synthetic` gives the i-th name a Zipf weight, so the first
names in a list are common (as Oliver, Muhammad, Smith and Khan are) and the last are rare. Lists are
per community because names cluster that way in a real local authority's caseload, and per cohort for
forenames (the parents of today's children were named in the 1970s-2000s).

The UK surname list is followed by a generated tail (place-name and occupational stems with common
endings, Mac/Mc and O' forms): real surname distributions have a very long tail, and without it a
million-person index would have a few hundred surnames each shared by thousands of unrelated people,
which would make blocking and term-frequency behaviour unrealistic.
"""

from __future__ import annotations

GROUPS = ("uk", "south_asian", "arabic", "eastern_european", "west_african", "caribbean")
# Share of households by community: a large English local authority, not any particular one.
GROUP_SHARES = (0.68, 0.11, 0.04, 0.07, 0.05, 0.05)


def _split(text: str) -> tuple[str, ...]:
    return tuple(name for name in text.split() if name)


FORENAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "uk": {
        "child_M": _split("""
            Oliver Harry George Noah Jack Leo Oscar Charlie Jacob Alfie Freddie Arthur Archie Theo Henry
            Thomas William James Joshua Isaac Lucas Ethan Logan Joseph Max Samuel Daniel Mason Harrison
            Finley Riley Dylan Jayden Tommy Alexander Edward Sebastian Reggie Teddy Albie Ronnie Louie
            Frankie Jude Elijah Rory Hugo Toby Benjamin Adam Reuben Kai Tyler Callum Connor Liam Ryan
            Lewis Kieran Jamie Bobby Stanley Arlo Ezra Finn Caleb Zachary Nathan Matthew Luke Aaron Owen
            Sonny Jenson Harvey Kayden Brandon Bailey Cameron Declan Ellis Niall Cian Oisin Eoin Ciaran
            Sean Patrick Alfred Frederick Jenson Roman Grayson Carter Hunter Jasper Felix Austin Ralph
        """),
        "child_F": _split("""
            Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Willow Florence Emily
            Ella Poppy Evie Elsie Charlotte Evelyn Sienna Daisy Phoebe Sophie Harper Millie Matilda Alice
            Ruby Jessica Chloe Emma Holly Erin Lucy Megan Ellie Hannah Scarlett Maisie Lacey Lexi Darcie
            Imogen Eliza Georgia Amber Niamh Caitlin Aoife Courtney Kayleigh Paige Leah Abigail Zara Eva
            Bethany Katie Molly Summer Esme Aurora Violet Hallie Mila Lottie Thea Bella Rebecca Amy
            Jasmine Madison Hollie Tilly Amelie Harriet Penelope Maya Eleanor Victoria Gracie Orla
            Mary-Jane Lily-Rose Ellie-May Siobhan Ciara Roisin
        """),
        "adult_M": _split("""
            David Paul Mark Andrew John Michael Stephen Richard James Robert Christopher Daniel Matthew
            Lee Darren Jason Craig Gary Ian Simon Anthony Peter Kevin Steven Neil Wayne Dean Carl Martin
            Jonathan Thomas Scott Stuart Graham Adam Ryan Sean Liam Shaun Jamie Gareth Philip Nicholas
            Alan Keith Barry Colin Kenneth Brian Terry Ricky Luke Ben Danny Kyle Aaron Declan Patrick
            Kieran Connor William Edward Timothy Jeremy Russell Glenn Trevor Nigel Dominic Gavin Marc
            Ross Callum Frederick Alexander Joseph Samuel Benjamin Jack Nathan Joshua Ashley Jordan
        """),
        "adult_F": _split("""
            Sarah Claire Emma Nicola Lisa Michelle Kelly Rachel Laura Joanne Louise Gemma Amanda Samantha
            Donna Karen Helen Julie Tracey Stacey Jennifer Rebecca Victoria Hayley Natalie Kerry Zoe
            Charlotte Danielle Leanne Kirsty Jade Amy Katie Lauren Sophie Hannah Jessica Stephanie
            Elizabeth Catherine Susan Angela Deborah Tina Dawn Sharon Melissa Carly Chelsea Shannon Jodie
            Kayleigh Siobhan Sinead Aisling Niamh Caroline Alison Joanna Margaret Patricia Christine
            Jacqueline Kimberley Gillian Lindsey Natasha Alexandra Rosemary Theresa Abigail Eleanor
            Kerry-Ann Sarah-Jane Leigh-Anne
        """),
    },
    "south_asian": {
        "child_M": _split("""
            Muhammad Mohammed Ibrahim Yusuf Ayaan Zayn Ali Hamza Adam Musa Omar Abdullah Rayyan Zakariya
            Ismail Bilal Hassan Hussain Arjun Aarav Rohan Krish Dev Aryan Vihaan Haris Usman Ayan Idris
            Yahya Ilyas Isa Zain Daniyal Ahmad Harjot Gurveer Jasraj Arman Rehan Saif Sami Taha
        """),
        "child_F": _split("""
            Maryam Aisha Fatima Zainab Hafsa Inaya Amira Safiya Khadija Hania Zara Anaya Aleena Noor
            Ayesha Aliya Sana Mehak Priya Anika Diya Riya Simran Harleen Jasleen Manahil Hoorain Eshaal
            Haniya Sumaya Halima Amina Ruqayyah Aaliyah Anaya Myra Navya Sara Iqra Alisha
        """),
        "adult_M": _split("""
            Mohammed Muhammad Imran Tariq Shahid Arif Imtiaz Kamran Rizwan Asif Zubair Sajid Nadeem Raj
            Vikram Sanjay Rahul Amit Deepak Pradeep Dilip Suresh Ravi Anil Sunil Rafiq Abdul Faisal
            Usman Khalid Javed Aamir Zahid Naveed Shabbir Harpreet Gurpreet Jaspreet Kulwinder Sukhdev
            Mahmood Iqbal Ashraf Saleem Shafiq Haroon
        """),
        "adult_F": _split("""
            Nazia Shazia Rukhsana Nasreen Parveen Samina Shabana Farzana Tahira Sadia Halima Amina
            Rubina Rehana Salma Yasmin Asma Sunita Anita Geeta Lakshmi Kavita Pooja Neha Fatima Ayesha
            Aisha Sumaya Khadija Nasima Shamima Rashida Jasvinder Manjit Rajinder Kulvinder Sharmin
            Husna Bushra Saima Uzma Naila Saira Hina
        """),
    },
    "arabic": {
        "child_M": _split("""
            Mohammed Ahmed Omar Ali Youssef Adam Hamza Yahya Ibrahim Abdullah Idris Ilyas Zakaria Karim
            Sami Amir Yusuf Mustafa Hassan Khalid Tariq Ayoub Rayan Anas Abdirahman Abdi Mahad Zakariye
        """),
        "child_F": _split("""
            Maryam Fatima Aisha Layla Noor Huda Amina Yasmin Sara Malak Jana Lina Hana Zainab Salma
            Rania Leila Iman Reem Nour Ayan Hodan Hibo Sagal Khadija Safiya Amira Sumaya
        """),
        "adult_M": _split("""
            Mohammed Ahmed Omar Ali Khalid Hassan Mahmoud Mustafa Ibrahim Abdullah Karim Tariq Nabil
            Walid Samir Faris Adel Jamal Said Yousef Abdi Abdirahman Abdullahi Hussein Mahamed Osman
            Salah Bashir Rashid Nasser
        """),
        "adult_F": _split("""
            Fatima Mariam Aisha Layla Noor Huda Amina Yasmin Sara Rania Salma Zainab Leila Hana Dina
            Rana Lina Nadia Samira Iman Faduma Hodan Ayan Hibo Sahra Asha Khadija Halima Sumaya Nasra
        """),
    },
    "eastern_european": {
        "child_M": _split("""
            Jakub Kacper Szymon Filip Jan Antoni Aleksander Wojciech Mateusz Bartosz Lukas Dominik
            Andrei Alexandru Ionut Mihai Stefan Gabriel Darius Matei Nikola Oleksandr Maksym Artem Vlad
            Bogdan Dawid Oliwer Igor Tymon Mantas Jonas Adrian Michal Tomasz
        """),
        "child_F": _split("""
            Zuzanna Julia Maja Zofia Hanna Lena Alicja Maria Amelia Oliwia Natalia Wiktoria Aleksandra
            Ioana Elena Andreea Bianca Daria Sofia Anastasia Viktoriia Kateryna Ieva Gabija Emilija
            Kamila Paulina Weronika Nikola Antonina Laura Nadia
        """),
        "adult_M": _split("""
            Piotr Tomasz Paweł Krzysztof Michał Marcin Łukasz Mariusz Grzegorz Dariusz Andrzej Adrian
            Marek Radek Mihai Ionut Florin Bogdan Ion Vasile Gheorghe Dmytro Oleksandr Sergei Vladimir
            Mantas Tadas Darius Jonas Robert Artur Sławomir Wojciech Bartłomiej Jakub
        """),
        "adult_F": _split("""
            Agnieszka Katarzyna Małgorzata Magdalena Anna Joanna Ewa Monika Marta Karolina Justyna
            Dorota Beata Ioana Elena Andreea Maria Ana Daniela Mihaela Olena Kateryna Natalia Iryna
            Svetlana Ieva Jurgita Rasa Aleksandra Barbara Sylwia Edyta Renata Izabela
        """),
    },
    "west_african": {
        "child_M": _split("""
            David Daniel Samuel Emmanuel Joshua Michael Victor Oluwaseun Oluwatobi Ayomide Tobi Tunde
            Femi Kwame Kofi Kwaku Kojo Yaw Ebuka Chukwuemeka Chinedu Ifeanyi Damilare Obinna Nnamdi
            Uche Favour Godwin Elijah Isaac Caleb Jeremiah Ethan Nathaniel David-Oluwaseun Mamadou
        """),
        "child_F": _split("""
            Precious Blessing Favour Grace Esther Deborah Joy Mercy Ayomide Temitope Damilola Chioma
            Adaeze Amarachi Chiamaka Ifeoma Nneka Akosua Ama Abena Adwoa Efua Esi Yaa Princess Testimony
            Oluwadamilola Oluwatoyin Bisola Tiwa Zion Hadiza Fatoumata Aminata
        """),
        "adult_M": _split("""
            Oluwaseun Olumide Adebayo Babatunde Chukwuemeka Chinedu Chukwudi Emeka Ifeanyi Kwame Kofi
            Kwabena Yaw Emmanuel Samuel Michael Daniel Joseph Godwin Segun Jide Oluwafemi Ayodele
            Olawale Adewale Abubakar Ibrahim Mamadou Alieu Lamin Francis Peter Stephen
        """),
        "adult_F": _split("""
            Oluwabukola Folasade Abimbola Temitope Oluwakemi Oluwatoyin Ngozi Chioma Adaeze Nneka
            Akosua Ama Abena Grace Blessing Comfort Gift Peace Esther Deborah Funmilayo Titilayo
            Yetunde Bisola Mercy Joy Patience Fatmata Mariama Isatou Aminata Kadiatou
        """),
    },
    "caribbean": {
        "child_M": _split("""
            Isaiah Malachi Elijah Josiah Kyrie Tristan Jaden Tyreese Kayden Reon Kymani Omari Nathaniel
            Jayden Marcus Andre Leon Jamal Devon Micah Zion Ezekiel Joshua Jordan Tyrell Amari Darnell
        """),
        "child_F": _split("""
            Aaliyah Nia Imani Destiny Tiana Kiara Amara Zuri Nevaeh Jada Jasmine Renee Shanice Tanisha
            Keisha Amelia Grace Abigail Kaydence Leah Naomi Serenity Trinity Nyla Ayanna Kemani
        """),
        "adult_M": _split("""
            Jermaine Tyrone Delroy Leon Marcus Andre Dwayne Kemar Jamal Devon Winston Errol Clive Trevor
            Lloyd Desmond Anthony Michael Carlton Everton Junior Wesley Dexter Fitzroy Leroy Curtis
        """),
        "adult_F": _split("""
            Shanice Tanisha Keisha Latoya Shantelle Monique Chantelle Simone Marcia Paulette Sonia
            Beverley Janice Jasmine Natalie Sharon Donna Claudette Yvonne Angela Karen Michelle
            Kerry-Ann Tamika Shereen Sharmaine
        """),
    },
}

SURNAMES: dict[str, tuple[str, ...]] = {
    "uk": _split("""
        Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson
        Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner
        Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott
        Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook Carter Richardson
        Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan Marshall Anderson Simpson Ellis Adams
        Singh Begum Wilkinson Foster Chapman Powell Webb Rogers Gray Mason Ali Hunt Hussain Campbell
        Matthews Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell Barker Fisher Stevens
        Jenkins Murray Dixon Harvey Graham Pearson Ahmed Fletcher Walsh Kaur Gibson Howard Andrews
        Stewart Elliott Reynolds Saunders Payne Fox Ford Pearce Day Brooks West Lawrence Cole Atkinson
        Bradley Spencer Gill Dawson Ball Burton O'Brien Watts Rose Booth Perry Ryan Grant Wells
        Armstrong Francis Rees Hayes Hart Hudson Newman Barrett Webster Hunter Gregory Carr Lowe Page
        Marsh Riley Dunn Woods Parsons Berry Stone Reid Holland Hawkins Harding Porter Robertson Newton
        Oliver Reed Kennedy Williamson Bird Gardner Shah Dean Lane Cooke Bates Henderson Parry Burgess
        Bishop Walton Burns Nicholson Shepherd Ross Cross Long Freeman Warren Nicholls Hamilton Byrne
        Sutton McDonald Yates Hodgson Robson Curtis Hopkins O'Connor Harper Coleman Watkins Moss
        McCarthy Chambers O'Neill Griffin Sharp Hardy Wheeler Potter Osborne Johnston Gordon Doyle
        Wallace George Jordan Hutchinson Rowe Burke May Pritchard Gilbert Willis Higgins Read Miles
        Stevenson Stephenson Hammond Arnold Buckley Walters Hewitt Barber Nelson Slater Austin Sullivan
        Whitehead Mann Frost Lambert Stephens Blake Akhtar Lynch Goodwin Barton Woodward Thomson
        Cunningham Quinn Barnett Baxter Bibi Clayton Nash Greenwood Jennings Holt Kemp Poole Gallagher
        Bond Stokes Tucker Davidson Fowler Heath Norman Middleton Lawson Banks French Stanley Jarvis
        Gibbs Ferguson Hayward Carroll Douglas Dickinson Todd Barlow Peters Lucas Knowles Hartley
        Miah Simmons Morton Alexander Field Morrison Horton Frank Fitzgerald Lord Mistry Connolly
        McLaughlin Kirk McKenzie Sheppard Rahman Fraser Macdonald Vaughan O'Sullivan Kaye O'Donnell
    """),
    "south_asian": _split("""
        Khan Ahmed Hussain Ali Patel Begum Shah Mahmood Iqbal Akhtar Rahman Islam Singh Kaur Bibi
        Mohammed Sharma Kumar Uddin Miah Chaudhry Qureshi Siddiqui Malik Butt Mirza Sheikh Riaz Rashid
        Aziz Hassan Javed Anwar Bashir Karim Saleem Sultan Ashraf Yousaf Latif Nawaz Raza Haider Abbas
        Gill Sandhu Dhillon Sidhu Bains Johal Mistry Parmar Solanki Chauhan Mehta Desai Joshi Gupta
        Verma Das Sarkar Hossain Alam Haque Ahmad Zaman Rehman Arshad Hanif Younis Sadiq Farooq
    """),
    "arabic": _split("""
        Ali Mohamed Ahmed Hassan Hussein Ibrahim Abdullah Mahmoud Mustafa Osman Omar Saleh Khalil
        Nasser Haddad Mansour Yousef Abbas Karim Said Aziz Farah Hamid Jaber Suleiman Awad Darwish
        Hashem Kassem Al-Masri Al-Hassan Al-Amin El-Sayed Abdi Warsame Hersi Jama Mohamud Nur Adan
        Elmi Yusuf Ismail Aden Gedi
    """),
    "eastern_european": _split("""
        Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański Woźniak
        Dąbrowski Kozłowski Jankowski Mazur Kwiatkowski Krawczyk Piotrowski Grabowski Nowakowski
        Pawłowski Michalski Król Wieczorek Jabłoński Wróbel Popescu Ionescu Popa Pop Radu Dumitru Stan
        Stoica Gheorghe Matei Ciobanu Rusu Munteanu Kazlauskas Jankauskas Petrauskas Stankevičius
        Vasiliauskas Shevchenko Kovalenko Bondarenko Tkachenko Kravchenko Horvath Nagy Kovacs Novak
        Dvořák Svoboda Ivanov Petrov Georgiev Dimitrov Sokołowski Majewski Olszewski Stępień Malinowski
        Górski Rutkowski Michalak Sikora Baran Duda Szewczyk Tomaszewski Pietrzak Marciniak Wróblewski
        Zalewski Jakubowski Jasiński Zawadzki Sadowski Bąk Chmielewski Włodarczyk Borkowski Czarnecki
    """),
    "west_african": _split("""
        Okafor Okonkwo Adeyemi Adebayo Ogunleye Oladipo Ogundipe Eze Nwosu Obi Okeke Chukwu Nwachukwu
        Ibrahim Bello Mohammed Abubakar Mensah Boateng Owusu Asante Osei Appiah Agyeman Addo Amoah
        Ansah Darko Opoku Badu Sarpong Acheampong Oyelaran Akinyemi Afolabi Adewale Babatunde Balogun
        Olawale Oyewole Okoro Uzoma Diallo Bah Sesay Kamara Conteh Koroma Jalloh Bangura Adeleke
        Adekunle Oyinlola Olaniyan Ogunbiyi Onyekachi Nwankwo Ekwueme Anyanwu Achebe Okoye
    """),
    "caribbean": _split("""
        Campbell Brown Williams Clarke Francis Thompson Johnson Smith Morgan Bailey Reid Richards
        Grant Henry Thomas Robinson Lewis Walker Hall Edwards Gordon Stewart Spence Blake Forbes
        Morrison Gayle Wright Powell Daley McFarlane Bennett Gardner Hylton Facey Ricketts Samuels
        Nelson Miller Allen Palmer Bryan Anderson Simpson Dixon Sinclair McLeod Joseph Charles
        Baptiste Wilson Graham Lindo Gayle Whyte Mattis Ellington Barrett Christie
    """),
}

# Stems and endings for the long tail of rarer British surnames.
_TAIL_STEMS = _split("""
    Ash Brad Brom Cald Chur Cran Dal Ed Fair Fern Gold Green Hal Hart Haw Hol Ken Lang Lock Mar Mid
    Mor North Pen Ray Red Rock Rother Sand Shel Small South Stan Stock Thorn Ward West Whit Wood Wool
    Black Brook Crow Dun Elm Fox Glad Hazel Kirk Lin Mill Moss New Oak Pick Pres Row Salt Sum Tal Wal
    Win Went Bram Brack Chad Cot Dray Eg Farn Gar Hather Hux Ing Kes Lud Marl Nor Ox Pad Rad Shap
    Stain Tad Thurl Ux Wan Wether Yar Ald Bar Bux Cas Dor Elling Fen Gat Hen Hex Ick Kings Lax
""")
_TAIL_ENDINGS = _split("""
    ton ley worth field ford well wood by ham stone bury combe dale hurst more croft shaw wick ridge
    thorpe land mere bridge brook man er son ing den low ington sley cote
""")
_MAC_STEMS = _split("Kenzie Leod Intyre Lean Ewan Gregor Farlane Kay Neil Allister Innes Pherson Laren Millan Nab")
_O_STEMS = _split("Brien Connor Neill Sullivan Reilly Donnell Shea Hara Keefe Leary Callaghan Rourke Dwyer Mahony Toole")


def uk_surname_tail() -> tuple[str, ...]:
    """Rarer British and Irish surnames, generated deterministically (no randomness here)."""
    names = [stem + ending for stem in _TAIL_STEMS for ending in _TAIL_ENDINGS]
    names += ["Mac" + s for s in _MAC_STEMS] + ["Mc" + s for s in _MAC_STEMS]
    names += ["O'" + s for s in _O_STEMS]
    common = set(SURNAMES["uk"])
    seen: set[str] = set()
    tail: list[str] = []
    for name in names:
        if name not in common and name not in seen:
            seen.add(name)
            tail.append(name)
    return tuple(tail)


# Polish (and similar) surnames change ending with sex; Lithuanian married women's surnames too.
FEMININE_ENDINGS = (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka"), ("as", "ienė"))
# Sikh families: women are often recorded as Kaur and men as Singh, whatever the family name.
SIKH_SURNAMES = frozenset(_split("Singh Kaur Gill Sandhu Dhillon Sidhu Bains Johal"))
# Bangladeshi and Pakistani women are often recorded with Begum or Bibi instead of the family name.
WOMENS_SURNAMES = ("Begum", "Bibi")

STREET_STEMS = _split("""
    High Church Station Mill Park Victoria Albert Queen King Manor Chapel School Grange Springfield
    Windsor York Oak Elm Ash Beech Willow Cedar Holly Meadow Orchard Brook Bridge Castle Abbey Priory
    Cromwell Nelson Wellington Gladstone Stanley Salisbury Richmond Kingsley Highfield Hillside
    Woodland Green Lime Maple Chestnut Sycamore Rowan Hawthorn Heather Primrose Bluebell Clover
    Poplar Laurel Juniper Sherwood Kenilworth Warwick Stafford Dorset Devon Cornwall Norfolk Suffolk
    Lancaster Chester Gloucester Oxford Cambridge Derby Lincoln Rutland Burns Shelley Byron Keats
    Milton Dickens Tennyson Wordsworth Chaucer Marlowe Ruskin Brunel Faraday Darwin Newton Stephenson
    Telford Arkwright Hampden Pym Eliot Austen Hardy Bronte Orwell Blake Turner Constable Gainsborough
""")
STREET_TYPES = (
    ("Road", "Rd"),
    ("Street", "St"),
    ("Avenue", "Ave"),
    ("Close", "Cl"),
    ("Lane", "Ln"),
    ("Drive", "Dr"),
    ("Gardens", "Gdns"),
    ("Crescent", "Cres"),
    ("Way", "Wy"),
    ("Terrace", "Terr"),
    ("Grove", "Gr"),
    ("Place", "Pl"),
    ("Court", "Ct"),
)

# Postcode areas and the town used in addresses. The first three are the "home" local authority where
# most of the caseload lives; the rest are where families moved from.
POSTCODE_AREAS = (
    ("NN", "Northampton"),
    ("MK", "Milton Keynes"),
    ("LE", "Leicester"),
    ("B", "Birmingham"),
    ("M", "Manchester"),
    ("LS", "Leeds"),
    ("L", "Liverpool"),
    ("E", "London"),
    ("N", "London"),
    ("SE", "London"),
    ("BS", "Bristol"),
    ("NG", "Nottingham"),
    ("CV", "Coventry"),
    ("PE", "Peterborough"),
    ("S", "Sheffield"),
    ("CF", "Cardiff"),
    ("G", "Glasgow"),
    ("BT", "Belfast"),
)
