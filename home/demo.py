"""Demo content: the first City Workshop in Zhytomyr, 12–17 June 2017, built from the
page the city council published about it (the seed). `manage.py load_demo` calls
`load_demo()`.

The facts (names, dates, place, themes, goals, audiences, partners, contacts, links)
come from the seed; the prose is written for the demo. The per-day programme is not
in the seed: its sessions are invented and marked as demo content on every day. The
images and the PDF documents are drawn with Pillow when the demo is loaded.
"""

import datetime
import math
from dataclasses import dataclass, field
from functools import cache
from io import BytesIO
from pathlib import Path

from anyascii import anyascii
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone, translation
from PIL import Image, ImageDraw, ImageFont
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Revision, Site
from wagtail.utils.file import hash_filelike

from documents.models import DocumentItem, DocumentsPage
from events.models import (
    DayPage,
    EditionLink,
    EditionPage,
    EditionPartner,
    ProgrammePage,
    QuestionnaireFormField,
    QuestionnairePage,
    RegistrationFormField,
    RegistrationFormPage,
    Session,
    TrackPage,
    Venue,
    year_slug,
)
from events.publishing import publish_edition
from events.rollover import Rollover, year_taken
from home.dates import format_date_range, format_day, format_time_range
from home.models import HomePage, SiteSettings

# --------------------------------------------------------------------------------------
# Content
# --------------------------------------------------------------------------------------

COLLECTION_NAME = "Демо-вміст"
EMAIL = "maisternia.zhytomyr@example.org"
PHONE = "+38 097 7583244"
FACEBOOK_URL = "https://www.facebook.com/UrbanWorkshopZhytomyr/"
CITY_COUNCIL = "Житомирська міська рада"
CITY_COUNCIL_URL = "https://zt-rada.gov.ua/"

HOME_INTRO = (
    "<p>«Майстерня міста» — урбаністично-культурний формат, що народився у Львові "
    "2012 року. Кілька днів поспіль на відкритому майданчику мешканці, громадські "
    "організації, митці й міська влада разом розмірковують, яким має бути їхнє місто, "
    "і тут-таки пробують його змінити: на лекціях, майстер-класах, прогулянках "
    "і в невимушених розмовах.</p>"
    "<p>Відтоді «Майстерня» відбувається щороку, а 2017 року вперше прийшла до "
    "Житомира. На цьому сайті зібрано житомирські випуски: програму кожного дня, "
    "тематичні напрями, документи й форму реєстрації.</p>"
)

SITE_SETTINGS = {
    "email": EMAIL,
    "phone": PHONE,
    "facebook_url": FACEBOOK_URL,
    "organiser_name": CITY_COUNCIL,
    "organiser_url": CITY_COUNCIL_URL,
    "footer_text": (
        "«Майстерня міста Житомир» — відкритий майданчик для діалогу мешканців, "
        "громадських організацій і міської влади про те, яким буде рідне місто."
    ),
}

EDITION = {
    "title": "Майстерня міста Житомир",
    "city": "Житомир",
    "published_on": datetime.date(2017, 6, 8),
    "start_date": datetime.date(2017, 6, 12),
    "end_date": datetime.date(2017, 6, 17),
    "slogan": "Живи Житомиром! Створюй Житомир!",
    "lead": (
        "Шість днів на майданчику біля бібліотеки імені Олега Ольжича: говоримо про "
        "громадський простір, міську культуру, велотранспорт, екологію та "
        "енергоощадність — і разом змінюємо Житомир."
    ),
    "about": (
        "<p>«Майстерня міста» — урбаністично-культурний проєкт, який прийшов до Житомира "
        "зі Львова. Це відкритий майданчик, де кожен може розповісти, яким бачить "
        "майбутнє міста, і дізнатися, якими інструментами це майбутнє можна "
        "наблизити.</p>"
        "<p>Проєкт збирає разом міську владу, громадські організації та активних "
        "житомирян, щоб ті, хто має бачення розвитку міста, і ті, хто готовий над ним "
        "працювати, могли почути одне одного. Теми цьогорічної «Майстерні» — громадський "
        "простір, міська культура, велотранспорт, екологія та енергоощадність.</p>"
        "<p>«Майстерня» відбувається в межах проєкту «Інтегрований розвиток міст "
        "в Україні», який Deutsche Gesellschaft für Internationale Zusammenarbeit (GIZ) "
        "GmbH упроваджує разом із Житомирською міською радою. Проєкт фінансують уряди "
        "Німеччини та Швейцарської Конфедерації.</p>"
    ),
    "goals": [
        "Залучати мешканців до оновлення та розвитку міста",
        "Краще інформувати житомирян про ініціативи та проєкти в місті",
        "Сприяти сталому розвитку районів Житомира",
        "Підтримувати громадські організації та ініціативи",
        "Налагоджувати спілкування та співпрацю між громадськими організаціями, міською "
        "владою, Німецьким товариством міжнародного співробітництва (GIZ) і мешканцями",
        "Робити громадський простір кращим",
        "Обмінюватися вдалим досвідом з іншими містами",
    ],
    "audience": [
        "Громадські організації",
        "Митці",
        "Ремісники",
        "Активні студенти",
        "Волонтери",
        "Житомиряни, яким небайдужий розвиток рідного міста і які хочуть разом "
        "розв’язувати проблеми громади",
    ],
    # {registration}, {project_form} and {questionnaire} are filled in once they exist.
    "how_to_take_part": (
        '<p>Щоб долучитися, заповніть <a linktype="page" id="{registration}">реєстраційну '
        "форму</a>: залиште свої контакти й розкажіть, як хочете взяти участь — "
        "як учасник, доповідач, волонтер чи партнер.</p>"
        "<p>Маєте власну ідею для міста? Опишіть її в "
        '<a linktype="page" id="{project_form}">анкеті опису проєкту</a> на сайті '
        "або заповніть "
        '<a linktype="document" id="{questionnaire}">паперовий бланк</a> '
        "і надішліть організаторам електронною поштою — так ваш проєкт "
        "зможе потрапити до програми «Майстерні».</p>"
    ),
    "history": (
        "<p>«Майстерню міста» як урбаністично-культурний проєкт започаткували у Львові "
        "2012 року. Відтоді вона відбувається щороку: мешканці разом із громадськими "
        "організаціями та міською владою шукають відповіді на спільні проблеми міста "
        "й одразу беруться їх розв’язувати.</p>"
        "<p>Житомирська «Майстерня» 2017 року — перша в нашому місті.</p>"
    ),
    "contact_email": EMAIL,
    "contact_phone": PHONE,
}

HERO_IMAGE = {
    "title": "Заставка «Майстерні міста Житомир» 2017",
    "description": (
        "Заставка: назва «Майстерня міста Житомир», дати 12–17 червня 2017 і гасло "
        "«Живи Житомиром! Створюй Житомир!» на тлі силуетів міських будинків"
    ),
    "filename": "maisternia-zhytomyr-2017.png",
    "background": "#17324d",
    "skyline": "#23476a",
    "accent": "#ffd166",
}

VENUE = {
    "name": "Майданчик біля бібліотеки ім. Олега Ольжича",
    "address": "м. Житомир",
    "latitude": "50.251440",
    "longitude": "28.666000",
    "access_note": (
        "Рівний майданчик без сходинок і порогів, зручний для візків і колясок. Частина "
        "місць для сидіння — у тіні дерев і під наметами. Туалети — у приміщенні "
        "бібліотеки, у години її роботи."
    ),
}

# logo_text is what the generated placeholder logo says.
PARTNERS = [
    {
        "name": CITY_COUNCIL,
        "role": EditionPartner.Role.ORGANISER,
        "url": CITY_COUNCIL_URL,
        "initials": "ЖМР",
        "colour": "#1f4e79",
        "logo_text": CITY_COUNCIL,
    },
    {
        "name": (
            "Deutsche Gesellschaft für Internationale Zusammenarbeit (GIZ) GmbH, "
            "проєкт «Інтегрований розвиток міст в Україні»"
        ),
        "role": EditionPartner.Role.ORGANISER,
        "url": "https://www.giz.de/",
        "initials": "GIZ",
        "colour": "#9b1c31",
        "logo_text": "Deutsche Gesellschaft für Internationale Zusammenarbeit (GIZ) GmbH",
    },
    {
        "name": "Уряд Федеративної Республіки Німеччина",
        "role": EditionPartner.Role.FUNDER,
        "url": "https://www.bundesregierung.de/",
        "initials": "DE",
        "colour": "#333333",
        "logo_text": "Уряд Федеративної Республіки Німеччина",
    },
    {
        "name": "Уряд Швейцарської Конфедерації",
        "role": EditionPartner.Role.FUNDER,
        "url": "https://www.admin.ch/",
        "initials": "CH",
        "colour": "#a4161a",
        "logo_text": "Уряд Швейцарської Конфедерації",
    },
]

# Every colour has a contrast of at least 5:1 against white.
TRACKS = [
    {
        "key": "public_space",
        "title": "Громадський простір",
        "slug": "public-space",
        "colour": "#1f6f8b",
        "motif": "tree_bench",
        "icon_alt": "Значок напряму «Громадський простір»: дерево й лавка на бірюзовому колі",
        "short_description": (
            "Як зробити вулиці, сквери й подвір’я Житомира зручними, безпечними "
            "та привабливими для всіх."
        ),
        "body": (
            "<p>Громадський простір — це місця, що належать усім: площі, сквери, вулиці, "
            "подвір’я між будинками. Від того, чи є там лавки, тінь, світло й зручні "
            "переходи, залежить, чи хочеться в них залишатися.</p>"
            "<p>У цьому напрямі ми разом складаємо мапу улюблених і проблемних місць "
            "міста, говоримо про відповідальність мешканців і міста за спільний простір "
            "та шукаємо невеликі зміни, які можна зробити вже цього літа.</p>"
        ),
    },
    {
        "key": "culture",
        "title": "Міська культура",
        "slug": "urban-culture",
        "colour": "#8e3b8a",
        "motif": "notes",
        "icon_alt": "Значок напряму «Міська культура»: дві музичні ноти на фіолетовому колі",
        "short_description": (
            "Мистецтво, ремесла й місцеві ініціативи, що наповнюють місто життям "
            "і роблять його впізнаваним."
        ),
        "body": (
            "<p>Культура міста — не лише театри й музеї. Це вуличні концерти, майстерні "
            "ремісників, виставки просто неба й маленькі клуби за інтересами в кожному "
            "районі.</p>"
            "<p>Напрям збирає митців, ремісників і культурних менеджерів, щоб показати, "
            "що вже відбувається в Житомирі, і домовитися, як місто може підтримувати "
            "незалежні культурні ініціативи.</p>"
        ),
    },
    {
        "key": "cycling",
        "title": "Велотранспорт",
        "slug": "cycling",
        "colour": "#b8461b",
        "motif": "bicycle",
        "icon_alt": "Значок напряму «Велотранспорт»: велосипед на теракотовому колі",
        "short_description": (
            "Велосипед як повноцінний міський транспорт: маршрути, інфраструктура й безпека руху."
        ),
        "body": (
            "<p>Житомир достатньо компактний, щоб більшість щоденних поїздок можна було "
            "здійснювати велосипедом. Для цього потрібні безпечні маршрути, стоянки "
            "й повага всіх учасників руху одне до одного.</p>"
            "<p>У програмі напряму — досвід інших міст, веломайстерня, велошкола для дітей "
            "і спільний вечірній проїзд містом.</p>"
        ),
    },
    {
        "key": "ecology",
        "title": "Екологія та енергоощадність",
        "slug": "ecology-energy",
        "colour": "#2e7d32",
        "motif": "sun",
        "icon_alt": "Значок напряму «Екологія та енергоощадність»: сонце на зеленому колі",
        "short_description": (
            "Чисте довкілля, дбайливе ставлення до ресурсів і прості кроки "
            "до ощадного споживання енергії."
        ),
        "body": (
            "<p>Кожен будинок, двір і вулиця можуть споживати менше енергії й залишати "
            "менше сміття. Часто для цього досить домовитися із сусідами й знати, з чого "
            "почати.</p>"
            "<p>Напрям поєднує практичні заняття з сортування відходів і озеленення "
            "з розмовами про утеплення будинків та досвід ОСББ, які вже заощаджують.</p>"
        ),
    },
]

DEMO_NOTICE = (
    "<p><b>Демонстраційна програма.</b> Цей розклад створено, щоб показати можливості "
    "сайту. Це не історична програма «Майстерні міста Житомир»: події, час і ведучі "
    "тут умовні.</p>"
)

PROGRAMME = {
    "title": "Програма",
    "slug": "programme",
    "intro": DEMO_NOTICE
    + (
        "<p>Шість днів «Майстерні міста»: щодня один головний напрям, у п’ятницю — "
        "ідеї самих мешканців, а в суботу — великий завершальний день для всієї "
        "родини. У будні події починаються по обіді, щоб прийти могли й ті, хто "
        "працює.</p>"
    ),
}

K = Session.Kind
STAGE, TENT_1, TENT_2 = "Сцена", "Намет 1", "Намет 2"
READING_ROOM = "Читальна зала бібліотеки"
BIKE_MEETING_POINT = "Збір біля велостоянки"
TEAM = "Команда «Майстерні міста»"

# Sessions: (start, end, kind, track key or None, spot, title, hosts, description).
# fmt: off
DAYS = [
    {
        "title": "День 1. Громадський простір",
        "intro": "<p>Відкриваємо «Майстерню» і говоримо про місця, які належать усім: "
        "площі, сквери, вулиці й подвір’я.</p>",
        "sessions": [
            ("15:00", "15:30", K.OPENING, None, STAGE,
             "Відкриття «Майстерні міста Житомир»",
             "Житомирська міська рада, GIZ",
             "Вітальне слово організаторів, знайомство з програмою тижня й майданчиком."),
            ("15:30", "16:30", K.LECTURE, "public_space", STAGE,
             "Місто для людей: що робить громадський простір живим",
             "Запрошений урбаніст зі Львова",
             "Про площі, сквери й вулиці, де хочеться залишатися: приклади українських "
             "і європейських міст."),
            ("16:30", "16:45", K.BREAK, None, "", "Кава-перерва", "", ""),
            ("16:45", "18:15", K.WORKSHOP, "public_space", TENT_1,
             "Мапа улюблених і проблемних місць Житомира", TEAM,
             "Позначаємо на великій мапі міста місця, які любимо, і ті, що потребують "
             "змін. Результати стануть основою для розмов протягом тижня."),
            ("17:00", "18:30", K.EXCURSION, "public_space", "Збір біля сцени",
             "Прогулянка центром: як живуть наші сквери",
             "Місцеві краєзнавці та архітектори",
             "Пішохідна прогулянка центральними вулицями: лавки, освітлення, тінь "
             "і доступність для людей з візками та колясками."),
            ("18:30", "20:00", K.DISCUSSION, "public_space", STAGE,
             "Чий це двір? Мешканці, ОСББ і місто",
             "Представники міської ради, ОСББ і громадських організацій",
             "Відкрита дискусія про те, як ділити відповідальність за спільний простір "
             "і де шукати ресурси на благоустрій."),
            ("21:00", "22:30", K.FILM, "public_space", STAGE,
             "Кіно просто неба: фільм про громадські простори", TEAM,
             "Документальний фільм про те, як міста оновлюють свої площі, і коротке "
             "обговорення після перегляду."),
        ],
    },
    {
        "title": "День 2. Міська культура",
        "intro": "<p>День митців, ремісників і всіх, хто робить культурне життя Житомира "
        "ближчим до людей.</p>",
        "sessions": [
            ("15:00", "16:00", K.LECTURE, "culture", STAGE,
             "Культура, що починається з району",
             "Культурні менеджери громадських ініціатив Житомира",
             "Як бібліотеки, подвір’я й невеликі клуби стають осередками культурного "
             "життя свого району."),
            ("16:00", "18:00", K.WORKSHOP, "culture", TENT_1,
             "Майстер-клас житомирських ремісників", "Ремісники Житомирщини",
             "Гончарство, ткацтво й розпис: кожен може спробувати сам і поговорити "
             "з майстрами."),
            ("16:00", "19:00", K.EXHIBITION, "culture", TENT_2,
             "Житомир очима митців", "Молоді художники й фотографи міста",
             "Виставка робіт про вулиці, будинки й людей Житомира."),
            ("17:00", "18:30", K.GAME, "culture", "Збір біля намету 2",
             "Квест «Таємниці старого міста»", "Волонтери «Майстерні міста»",
             "Командна гра вулицями центру: загадки про історію будинків і людей, "
             "які в них жили."),
            ("18:30", "19:30", K.DISCUSSION, "culture", READING_ROOM,
             "Культурні ініціативи й місто: як домовлятися",
             "Представники міської ради та громадських організацій",
             "Про підтримку незалежних культурних ініціатив, конкурси проєктів "
             "і спільне користування міськими приміщеннями."),
            ("19:30", "21:00", K.PERFORMANCE, "culture", STAGE,
             "Вечір вуличної музики", "Музиканти Житомира",
             "Відкритий мікрофон для місцевих гуртів і виконавців."),
        ],
    },
    {
        "title": "День 3. Велотранспорт",
        "intro": "<p>Говоримо про велосипед як про щоденний транспорт і вчимося їздити "
        "містом безпечно.</p>",
        "sessions": [
            ("15:00", "16:00", K.LECTURE, "cycling", STAGE,
             "Велосипед у місті: досвід інших міст",
             "Представники велоспільнот українських міст",
             "Що змінилося в містах, які почали будувати велоінфраструктуру, і з якими "
             "труднощами вони зіткнулися."),
            ("16:00", "17:30", K.WORKSHOP, "cycling", TENT_1,
             "Веломайстерня: простий ремонт власноруч", "Волонтери велоспільноти Житомира",
             "Як замінити камеру, налаштувати гальма й перемикачі. Приходьте зі своїм "
             "велосипедом."),
            ("16:00", "17:30", K.GAME, "cycling", "Майданчик біля сцени",
             "Велошкола для дітей", "Волонтери «Майстерні міста»",
             "Ігрові вправи з правил дорожнього руху для дітей 7–12 років. Велосипеди "
             "й шоломи є на місці."),
            ("17:30", "18:00", K.BREAK, None, "", "Перерва", "", ""),
            ("18:00", "19:30", K.DISCUSSION, "cycling", STAGE,
             "Велодоріжки для Житомира: з чого почати",
             "Представники міської ради, велоактивісти, GIZ",
             "Обговорюємо можливі маршрути, стоянки й зміни в організації руху, які "
             "зробили б поїздки велосипедом безпечнішими."),
            ("19:30", "21:00", K.EXCURSION, "cycling", BIKE_MEETING_POINT,
             "Вечірній велопроїзд містом", "Велоспільнота Житомира",
             "Неспішний проїзд центральними вулицями з зупинками там, де бракує "
             "велоінфраструктури. Шолом обов’язковий."),
        ],
    },
    {
        "title": "День 4. Екологія та енергоощадність",
        "intro": "<p>Про чисте довкілля, енергію, яку не варто витрачати даремно, "
        "і прості кроки, з яких починаються зміни.</p>",
        "sessions": [
            ("15:00", "16:00", K.LECTURE, "ecology", STAGE,
             "Енергоефективний будинок: що може зробити кожен",
             "Фахівці з енергоаудиту",
             "Утеплення, облік тепла й прості звички, які зменшують рахунки за "
             "комунальні послуги."),
            ("16:00", "17:30", K.WORKSHOP, "ecology", TENT_1,
             "Сортуємо відходи: практичне заняття", "Екологічні громадські організації",
             "Що можна переробити, як налагодити роздільний збір у своєму будинку "
             "і куди здавати вторинну сировину."),
            ("16:00", "19:00", K.EXHIBITION, "ecology", TENT_2,
             "Виставка енергоощадних рішень", "Місцеві фахівці з енергоефективності",
             "Зразки утеплювальних матеріалів, світлодіодного освітлення й сонячних "
             "панелей із поясненнями фахівців."),
            ("17:30", "19:00", K.DISCUSSION, "ecology", STAGE,
             "ОСББ і енергоощадність: історії успіху",
             "Голови ОСББ, представники міської ради",
             "Мешканці будинків, які вже утеплилися, розповідають, як знайшли кошти "
             "й домовилися із сусідами."),
            ("19:00", "20:30", K.WORKSHOP, "ecology", TENT_1,
             "Зелене подвір’я: квітники й вертикальне озеленення", "Садівники-волонтери",
             "Які рослини приживаються в міських дворах і як доглядати за ними разом "
             "із сусідами."),
            ("21:00", "22:30", K.FILM, "ecology", STAGE,
             "Кіно просто неба: фільм про довкілля", TEAM,
             "Вечірній показ документального фільму про міста, що вчаться ощадливо "
             "споживати ресурси."),
        ],
    },
    {
        "title": "День 5. Ідеї мешканців",
        "intro": "<p>Сцена належить житомирянам: автори анкет представляють свої проєкти "
        "для міста, а фахівці радять, як утілити їх у життя.</p>",
        "sessions": [
            ("15:00", "16:30", K.PRESENTATION, "public_space", STAGE,
             "Проєкти мешканців: громадський простір", "Автори поданих анкет",
             "Короткі презентації ідей для скверів, дворів і вулиць, надісланих "
             "в анкетах опису проєкту."),
            ("16:30", "18:00", K.PRESENTATION, "ecology", STAGE,
             "Проєкти мешканців: екологія та енергоощадність", "Автори поданих анкет",
             "Ідеї для чистішого й ощаднішого міста: від сортування сміття "
             "до утеплення шкіл."),
            ("16:30", "18:00", K.WORKSHOP, None, TENT_1,
             "Консультації: як подати проєкт на міський конкурс",
             "Фахівці міської ради та GIZ",
             "Індивідуальні поради авторам проєктів: бюджет, партнери, документи."),
            ("18:00", "19:00", K.PRESENTATION, "culture", STAGE,
             "Проєкти мешканців: міська культура", "Автори поданих анкет",
             "Фестивалі, виставки й майстерні, які мешканці хочуть провести у своїх "
             "районах."),
            ("19:00", "20:00", K.PRESENTATION, "cycling", STAGE,
             "Проєкти мешканців: велотранспорт", "Автори поданих анкет",
             "Пропозиції маршрутів, велостоянок і навчальних поїздок."),
            ("20:00", "21:00", K.DISCUSSION, None, STAGE,
             "Що далі? Відкрита розмова з міською владою",
             "Представники Житомирської міської ради",
             "Які ідеї тижня місто може підтримати і як мешканцям стежити за їхнім "
             "утіленням."),
        ],
    },
    {
        "title": "День 6. Створюй Житомир!",
        "intro": "<p>Завершальна субота для всієї родини: спільна робота на майданчику, "
        "велоекскурсія, концерт і підсумки тижня.</p>",
        "sessions": [
            ("11:00", "12:30", K.EXCURSION, "cycling", BIKE_MEETING_POINT,
             "Велоекскурсія зеленими куточками міста", "Велоспільнота Житомира",
             "Родинний маршрут парками й скверами в спокійному темпі."),
            ("11:00", "13:00", K.GAME, "culture", "Майданчик",
             "Сімейний квест «Живи Житомиром!»", "Волонтери «Майстерні міста»",
             "Завдання для дітей і дорослих про місто, його людей і традиції."),
            ("12:00", "14:00", K.WORKSHOP, "public_space", TENT_1,
             "Майструємо лавки й вазони для майданчика", "Волонтери та столярі",
             "Разом збираємо прості меблі з дерева, які прикрасять майданчик біля "
             "бібліотеки."),
            ("14:00", "15:00", K.BREAK, None, "", "Обідня перерва", "", ""),
            ("15:00", "16:30", K.PRESENTATION, None, STAGE,
             "Підсумки тижня: що ми дізналися й що зробимо далі", TEAM,
             "Модератори напрямів розповідають про головні ідеї та домовленості тижня."),
            ("17:00", "19:00", K.PERFORMANCE, "culture", STAGE,
             "Концерт житомирських гуртів", "Музиканти Житомира",
             "Живий звук на завершення «Майстерні»."),
            ("19:00", "19:30", K.OPENING, None, STAGE,
             "Закриття «Майстерні міста Житомир»",
             "Житомирська міська рада, GIZ",
             "Подяки учасникам, волонтерам і партнерам."),
        ],
    },
]
# fmt: on

DAY_NOTICE = (
    "<p><b>Демонстраційний день програми.</b> Події цього дня вигадано для показу "
    "можливостей сайту; вони не відтворюють історичної програми «Майстерні».</p>"
)

DOCUMENTS_PAGE = {
    "title": "Документи",
    "slug": "documents",
    "intro": (
        "<p>Афіша, план і анкета «Майстерні міста Житомир» у форматі PDF. Це "
        "демонстраційні версії документів, створені для показу можливостей сайту.</p>"
    ),
}

# "key" names the document for the links and chooses the function that draws its PDF
# (PDF_LAYOUTS below).
DOCUMENTS = [
    {
        "key": "poster",
        "title": "Програма постер",
        "filename": "prohrama-poster-2017.pdf",
        "description": (
            "Афіша «Майстерні міста Житомир»: дати, місце, чотири напрями й дні "
            "програми на одній сторінці. Демонстраційна версія."
        ),
    },
    {
        "key": "plan",
        "title": "ПЛАН МАЙСТЕРНЯ МІСТА 2017",
        "filename": "plan-maisternia-mista-2017.pdf",
        "description": (
            "План подій на кожен із шести днів із часом і місцем. Демонстраційна версія, "
            "а не історичний план «Майстерні»."
        ),
    },
    {
        "key": "questionnaire",
        "title": "Анкета опису проекту Майстерня Міста Житомир 2017",
        "filename": "anketa-opysu-proektu-2017.pdf",
        "description": (
            "Бланк, щоб описати власний проєкт для міста й представити його "
            "на «Майстерні». Заповніть і надішліть організаторам електронною поштою."
        ),
    },
]

QUESTIONNAIRE = {
    "intro": (
        "Маєте ідею, як зробити Житомир кращим? Опишіть її в цій анкеті й надішліть "
        f"на {EMAIL} або принесіть на майданчик. Автори проєктів представлять їх "
        "на «Майстерні міста»."
    ),
    # (question, number of answer lines); a question with 0 lines offers the tracks.
    "questions": [
        ("Назва проєкту", 1),
        ("Автор або команда: ім’я, організація", 2),
        ("Контакти: телефон, електронна пошта", 1),
        ("Напрям (позначте один)", 0),
        ("Яку проблему міста розв’язує проєкт?", 3),
        ("Що саме ви пропонуєте зробити?", 4),
        ("Хто від цього виграє і хто може долучитися?", 3),
        ("Що потрібно для втілення: люди, матеріали, кошти, дозволи?", 3),
        ("Як ви хочете представити проєкт: виступ, майстер-клас, виставка?", 2),
    ],
}

REGISTRATION = {
    "title": "Реєстрація",
    "slug": "registration",
    "intro": (
        "<p>Заповніть форму, щоб долучитися до «Майстерні міста Житомир» 12–17 червня "
        "2017 року. Ми напишемо вам електронною поштою й розповімо, що на вас чекає.</p>"
    ),
    "thank_you_text": (
        "<p>Дякуємо за реєстрацію! Ми отримали вашу заявку й незабаром зв’яжемося "
        "з вами. До зустрічі на майданчику біля бібліотеки імені Олега Ольжича!</p>"
    ),
    "from_address": "noreply@example.org",
    "subject": "Нова реєстрація на «Майстерню міста Житомир» 2017",
}

FORM_FIELDS = [
    {"clean_name": "name", "label": "Ім’я та прізвище", "field_type": "singleline"},
    {"clean_name": "email", "label": "Електронна пошта", "field_type": "email"},
    {
        "clean_name": "phone",
        "label": "Телефон",
        "field_type": "phone",
        "required": False,
        "help_text": "Щоб ми могли швидко зв’язатися з вами.",
    },
    {
        "clean_name": "organisation",
        "label": "Організація",
        "field_type": "singleline",
        "required": False,
        "help_text": "Громадська організація, навчальний заклад чи компанія, якщо є.",
    },
    {
        "clean_name": "participation",
        "label": "Як ви хочете долучитися",
        "field_type": "radio",
        "choices": "Учасник\nДоповідач\nВолонтер\nПартнер",
    },
    {
        "clean_name": "comment",
        "label": "Коментар",
        "field_type": "multiline",
        "required": False,
        "help_text": "Запитання, побажання або кілька слів про ідею, яку хочете представити.",
    },
]

# The questionnaire online: the questions of the paper form, as form fields.
QUESTIONNAIRE_PAGE = {
    "title": "Анкета опису проєкту",
    "slug": "project",
    "intro": (
        "<p>Маєте ідею, як зробити Житомир кращим? Опишіть свій проєкт — громадський "
        "простір, міська культура, велотранспорт чи екологія — і представте його "
        "на «Майстерні міста». Організатори розглянуть кожну анкету й напишуть вам.</p>"
    ),
    "thank_you_text": (
        "<p>Дякуємо! Ми отримали вашу анкету. Організатори розглянуть проєкт "
        "і напишуть вам електронною поштою.</p>"
    ),
    "from_address": "noreply@example.org",
    "subject": "Нова анкета проєкту для «Майстерні міста Житомир» 2017",
}

QUESTIONNAIRE_FIELDS = [
    {"label": "Назва проєкту", "field_type": "singleline"},
    {
        "label": "Організація або команда",
        "field_type": "singleline",
        "required": False,
        "help_text": "Громадська організація, ініціатива чи творче об’єднання, якщо є.",
    },
    {"label": "Напрям", "field_type": "track"},
    {
        "label": "Опис проєкту",
        "field_type": "multiline",
        "help_text": "Яку проблему міста розв’язує проєкт і що саме ви пропонуєте зробити.",
    },
    {
        "label": "Що потрібно для втілення",
        "field_type": "multiline",
        "help_text": "Люди, матеріали, кошти, дозволи.",
    },
    {"label": "Контактна особа", "field_type": "singleline"},
    {"label": "Електронна пошта", "field_type": "email"},
    {"label": "Телефон", "field_type": "phone", "required": False},
]

# A link gives exactly one of: "document" (a key of DOCUMENTS) or "url".
LINKS = [
    {"label": "Анкета опису проекту «Майстерня міста Житомир»", "document": "questionnaire"},
    {
        "label": 'Головна сторінка "Майстерні Міста" у Львові',
        "url": "http://www.maisterniamista.org.ua/",
    },
    {"label": '"Майстерня міста" в мережі Facebook', "url": FACEBOOK_URL},
]

# --------------------------------------------------------------------------------------
# Fonts and text drawing
# --------------------------------------------------------------------------------------

# (folder, regular, bold): fonts with Cyrillic glyphs, where common systems keep them.
CYRILLIC_FONTS = [
    ("/usr/share/fonts/truetype/dejavu", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu-sans-fonts", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/TTF", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("/usr/local/share/fonts", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    (
        "/usr/share/fonts/truetype/liberation",
        "LiberationSans-Regular.ttf",
        "LiberationSans-Bold.ttf",
    ),
    ("/usr/share/fonts/truetype/noto", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/freefont", "FreeSans.ttf", "FreeSansBold.ttf"),
    ("/System/Library/Fonts/Supplemental", "Arial.ttf", "Arial Bold.ttf"),
    ("C:/Windows/Fonts", "arial.ttf", "arialbd.ttf"),
]

WHITE = "#ffffff"
INK = "#1d1d1b"
GREY = "#5f6368"


@cache
def cyrillic_font_files():
    """(regular, bold) paths of the first Cyrillic font found, or None."""
    for folder, regular, bold in CYRILLIC_FONTS:
        regular_path, bold_path = Path(folder, regular), Path(folder, bold)
        if regular_path.is_file():
            return str(regular_path), str(bold_path if bold_path.is_file() else regular_path)
    return None


@cache
def get_font(size, bold=False):
    files = cyrillic_font_files()
    if files:
        return ImageFont.truetype(files[int(bold)], size)
    # Pillow's own font has no Cyrillic: text is transliterated (see drawable).
    return ImageFont.load_default(size=size)


def drawable(text):
    """The text as the available font can draw it."""
    return text if cyrillic_font_files() else anyascii(text)


def wrap(text, font, width):
    lines, line = [], ""
    for word in drawable(text).split():
        candidate = f"{line} {word}".strip()
        if line and font.getlength(candidate) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


def line_height(size):
    return round(size * 1.3)


def draw_text(draw, xy, text, size, width, fill=INK, bold=False):
    """Draw wrapped text from its top-left corner; return the y below it."""
    x, y = xy
    font = get_font(size, bold)
    for line in wrap(text, font, width):
        draw.text((x, y), line, font=font, fill=fill)
        y += line_height(size)
    return y


def fitting_size(text, width, height, largest, bold=True):
    """The largest font size (in steps of 2) at which the wrapped text fits the box."""
    for size in range(largest, 12, -2):
        font = get_font(size, bold)
        lines = wrap(text, font, width)
        fits_across = all(font.getlength(line) <= width for line in lines)
        if fits_across and len(lines) * line_height(size) <= height:
            return size
    return 12


def draw_centred(draw, box, text, size, fill=WHITE, bold=True):
    font = get_font(size, bold)
    text = drawable(text)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    x = box[0] + (box[2] - box[0] - (right - left)) / 2 - left
    y = box[1] + (box[3] - box[1] - (bottom - top)) / 2 - top
    draw.text((x, y), text, font=font, fill=fill)


# --------------------------------------------------------------------------------------
# Images: hero, logos, track icons
# --------------------------------------------------------------------------------------


def png_bytes(image):
    buffer = BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def draw_hero():
    spec = HERO_IMAGE
    width, height = 1600, 900
    image = Image.new("RGB", (width, height), spec["background"])
    draw = ImageDraw.Draw(image)
    # A skyline of simple blocks with lit windows along the bottom.
    x = 0
    for i in range(40):
        block_width = 70 + (i * 37) % 60
        top = height - 100 - (i * 73) % 150
        draw.rectangle((x, top, x + block_width - 8, height), fill=spec["skyline"])
        for wy in range(top + 24, height - 60, 44):
            for wx in range(x + 14, x + block_width - 30, 26):
                if (wx + wy + i) % 3 == 0:
                    draw.rectangle((wx, wy, wx + 10, wy + 16), fill=spec["accent"])
        x += block_width
        if x >= width:
            break
    # One band per track colour along the bottom edge.
    band = width / len(TRACKS)
    for i, track in enumerate(TRACKS):
        draw.rectangle((i * band, height - 36, (i + 1) * band, height), fill=track["colour"])
    y = draw_text(draw, (100, 110), EDITION["title"], 100, 1400, fill=WHITE, bold=True)
    dates = format_date_range(EDITION["start_date"], EDITION["end_date"])
    y = draw_text(draw, (104, y + 20), f"{dates} · {VENUE['name']}", 36, 1400, fill=WHITE)
    draw_text(draw, (104, y + 30), EDITION["slogan"], 56, 1400, fill=spec["accent"], bold=True)
    return png_bytes(image)


def draw_logo(partner):
    image = Image.new("RGB", (800, 320), WHITE)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((40, 40, 280, 280), radius=28, fill=partner["colour"])
    initials = partner["initials"]
    draw_centred(draw, (40, 40, 280, 280), initials, fitting_size(initials, 200, 200, 84))
    size = fitting_size(partner["logo_text"], 460, 240, 44)
    lines = wrap(partner["logo_text"], get_font(size, True), 460)
    y = 160 - len(lines) * line_height(size) / 2
    draw_text(draw, (310, y), partner["logo_text"], size, 460, fill=INK, bold=True)
    return png_bytes(image)


# Track icon motifs, drawn in white on a 1024 × 1024 canvas.
def motif_tree_bench(draw):
    draw.ellipse((250, 200, 590, 540), fill=WHITE)
    draw.rectangle((395, 500, 445, 760), fill=WHITE)
    draw.rectangle((520, 520, 800, 555), fill=WHITE)
    draw.rectangle((520, 610, 800, 650), fill=WHITE)
    draw.rectangle((540, 650, 570, 760), fill=WHITE)
    draw.rectangle((750, 650, 780, 760), fill=WHITE)
    draw.rectangle((220, 760, 820, 790), fill=WHITE)


def motif_notes(draw):
    draw.ellipse((300, 620, 470, 740), fill=WHITE)
    draw.ellipse((560, 560, 730, 680), fill=WHITE)
    draw.rectangle((430, 300, 470, 690), fill=WHITE)
    draw.rectangle((690, 240, 730, 630), fill=WHITE)
    draw.polygon([(430, 300), (730, 240), (730, 320), (430, 380)], fill=WHITE)


def motif_bicycle(draw):
    for cx in (320, 710):
        draw.ellipse((cx - 150, 470, cx + 150, 770), outline=WHITE, width=36)
    rear, front, crank = (320, 620), (710, 620), (500, 620)
    seat, head = (450, 400), (660, 400)
    for line in [(rear, seat, crank, rear), (seat, head, crank), (head, front)]:
        draw.line(line, fill=WHITE, width=34, joint="curve")
    draw.line([(450, 400), (430, 330)], fill=WHITE, width=30)
    draw.line([(370, 330), (490, 330)], fill=WHITE, width=34)
    draw.line([(660, 400), (640, 320), (720, 320)], fill=WHITE, width=30, joint="curve")


def motif_sun(draw):
    draw.ellipse((362, 362, 662, 662), fill=WHITE)
    for i in range(12):
        angle = math.radians(i * 30)
        start = (512 + 210 * math.cos(angle), 512 + 210 * math.sin(angle))
        end = (512 + 310 * math.cos(angle), 512 + 310 * math.sin(angle))
        draw.line([start, end], fill=WHITE, width=36)


MOTIFS = {
    "tree_bench": motif_tree_bench,
    "notes": motif_notes,
    "bicycle": motif_bicycle,
    "sun": motif_sun,
}


def draw_icon(track):
    # Drawn four times larger, then reduced: smooth edges without antialiasing support.
    image = Image.new("RGBA", (1024, 1024), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, 1023, 1023), fill=track["colour"])
    MOTIFS[track["motif"]](draw)
    return png_bytes(image.resize((256, 256), Image.Resampling.LANCZOS))


# --------------------------------------------------------------------------------------
# PDF documents: A4 pages at 150 dpi
# --------------------------------------------------------------------------------------

PAGE_SIZE = (1240, 1754)
MARGIN = 110
TEXT_WIDTH = PAGE_SIZE[0] - 2 * MARGIN


class PdfSheets:
    """Writes text top to bottom onto A4 pages, starting a new page when one is full."""

    def __init__(self):
        self.pages = []
        self.new_page()

    def new_page(self):
        self.pages.append(Image.new("RGB", PAGE_SIZE, WHITE))
        self.draw = ImageDraw.Draw(self.pages[-1])
        self.y = MARGIN

    def room(self, height):
        if self.y + height > PAGE_SIZE[1] - MARGIN:
            self.new_page()

    def text(self, text, size=24, bold=False, fill=INK, indent=0, space_after=12):
        width = TEXT_WIDTH - indent
        lines = len(wrap(text, get_font(size, bold), width))
        self.room(lines * line_height(size))
        self.y = draw_text(self.draw, (MARGIN + indent, self.y), text, size, width, fill, bold)
        self.y += space_after

    def band(self, colour, height):
        """A coloured band across the top of the page, to write on in white."""
        self.draw.rectangle((0, 0, PAGE_SIZE[0], height), fill=colour)
        self.y = MARGIN * 0.7

    def swatch(self, colour, text, size=26, box=False):
        """A colour square (or an empty tick box) followed by a label."""
        self.room(line_height(size))
        side = size
        square = (MARGIN, self.y + 4, MARGIN + side, self.y + 4 + side)
        if box:
            self.draw.rectangle(square, outline=colour, width=3)
        else:
            self.draw.rectangle(square, fill=colour)
        self.draw.text((MARGIN + side + 18, self.y), drawable(text), font=get_font(size), fill=INK)
        self.y += line_height(size) + 8

    def answer_lines(self, count, gap=52):
        self.room(count * gap)
        for _ in range(count):
            self.y += gap
            self.draw.line((MARGIN, self.y, PAGE_SIZE[0] - MARGIN, self.y), fill=GREY, width=2)
        self.y += 24

    def footer(self, text):
        """The same small line at the bottom of every page."""
        for page in self.pages:
            draw = ImageDraw.Draw(page)
            draw_text(draw, (MARGIN, PAGE_SIZE[1] - MARGIN + 30), text, 18, TEXT_WIDTH, GREY)

    def pdf_bytes(self, title):
        buffer = BytesIO()
        first, *rest = self.pages
        first.save(buffer, "PDF", resolution=150, save_all=True, append_images=rest, title=title)
        return buffer.getvalue()


DEMO_DOCUMENT_NOTE = (
    "Демонстраційна версія документа, створена для показу можливостей сайту «Майстерня "
    "міста»; не є історичним документом «Майстерні»."
)


def edition_dates():
    return format_date_range(EDITION["start_date"], EDITION["end_date"])


def program_days():
    """(date, day data) for the six days of the edition."""
    return [(EDITION["start_date"] + datetime.timedelta(days=i), day) for i, day in enumerate(DAYS)]


def poster_pdf(spec):
    sheets = PdfSheets()
    sheets.band(HERO_IMAGE["background"], 420)
    sheets.text(EDITION["title"], 64, bold=True, fill=WHITE, space_after=24)
    sheets.text(edition_dates(), 40, bold=True, fill=HERO_IMAGE["accent"])
    sheets.text(VENUE["name"], 30, fill=WHITE, space_after=30)
    sheets.text(EDITION["slogan"], 34, bold=True, fill=WHITE)
    sheets.y = 480
    sheets.text(EDITION["lead"], 28, space_after=40)
    sheets.text("Напрями", 36, bold=True)
    for track in TRACKS:
        sheets.swatch(track["colour"], track["title"], 30)
    sheets.y += 30
    sheets.text("Програма тижня", 36, bold=True)
    for date, day in program_days():
        sheets.text(f"{format_day(date)} — {day['title']}", 27, space_after=10)
    sheets.y += 30
    sheets.text(f"Реєстрація та запитання: {EMAIL}, {PHONE}", 24)
    sheets.text(f"Організатори: {', '.join(p['logo_text'] for p in PARTNERS[:2])}", 20)
    sheets.footer(DEMO_DOCUMENT_NOTE)
    return sheets.pdf_bytes(spec["title"])


def plan_pdf(spec):
    sheets = PdfSheets()
    sheets.text(f"План «Майстерні міста Житомир», {edition_dates()}", 40, bold=True)
    sheets.text(f"{VENUE['name']}, {VENUE['address']}", 24, fill=GREY, space_after=30)
    tracks = {track["key"]: track for track in TRACKS}
    for date, day in program_days():
        sheets.room(line_height(28) + len(day["sessions"]) * (line_height(21) + 6) + 10)
        sheets.text(f"{format_day(date)} — {day['title']}", 28, bold=True, space_after=10)
        for start, end, _kind, track, spot, title, *_ in day["sessions"]:
            time = format_time_range(parse_time(start), parse_time(end))
            where = f" ({spot})" if spot else ""
            colour = tracks[track]["colour"] if track else INK
            sheets.text(f"{time}  {title}{where}", 21, fill=colour, indent=20, space_after=6)
        sheets.y += 24
    sheets.footer(DEMO_DOCUMENT_NOTE)
    return sheets.pdf_bytes(spec["title"])


def questionnaire_pdf(spec):
    sheets = PdfSheets()
    sheets.text(spec["title"], 38, bold=True, space_after=20)
    sheets.text(QUESTIONNAIRE["intro"], 24, fill=GREY, space_after=30)
    for number, (question, lines) in enumerate(QUESTIONNAIRE["questions"], start=1):
        answers = lines * 52 if lines else len(TRACKS) * (line_height(24) + 8)
        sheets.room(line_height(26) + answers + 40)
        sheets.text(f"{number}. {question}", 26, bold=True, space_after=4)
        if lines:
            sheets.answer_lines(lines)
        else:
            sheets.y += 8
            for track in TRACKS:
                sheets.swatch(INK, track["title"], 24, box=True)
            sheets.y += 16
    sheets.footer(DEMO_DOCUMENT_NOTE)
    return sheets.pdf_bytes(spec["title"])


PDF_LAYOUTS = {"poster": poster_pdf, "plan": plan_pdf, "questionnaire": questionnaire_pdf}


# --------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------


def parse_time(value):
    return datetime.time.fromisoformat(value)


def validated(children, parent_field):
    """Run the model's validation on inline children, in order, as the admin would."""
    for position, child in enumerate(children):
        if hasattr(child, "sort_order"):
            child.sort_order = position
        child.full_clean(exclude=[parent_field])
    return children


def publish(page, parent=None):
    """Add the page under its parent (when new; saving validates it) and publish a
    revision of it, so its history starts as if an editor had published it."""
    if parent is not None:
        parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@dataclass
class DemoLoader:
    """Creates the demo; remembers the files it stores so that a failure removes them."""

    collection: Collection | None = None
    stored: list = field(default_factory=list)

    def store(self, model, title, data, file, **fields):
        """Save an image or a document of the given bytes, wrapped in a Django file."""
        item = model(
            title=title,
            file=file,
            collection=self.collection,
            file_size=len(data),
            file_hash=hash_filelike(BytesIO(data)),
            **fields,
        )
        item.save()
        self.stored.append(item)
        return item

    def image(self, title, description, data, filename):
        file = ImageFile(BytesIO(data), name=filename)
        return self.store(get_image_model(), title, data, file, description=description)

    def document(self, spec):
        data = PDF_LAYOUTS[spec["key"]](spec)
        file = ContentFile(data, name=spec["filename"])
        return self.store(get_document_model(), spec["title"], data, file)

    def remove_stored_files(self):
        for item in self.stored:
            item.file.storage.delete(item.file.name)

    def load(self, home):
        self.collection = demo_collection()
        logos = [
            self.image(
                f"Логотип: {partner['logo_text']}",
                f"Умовний логотип: {partner['logo_text']}",
                draw_logo(partner),
                f"logo-{anyascii(partner['initials']).lower()}.png",
            )
            for partner in PARTNERS
        ]
        hero = self.image(
            HERO_IMAGE["title"], HERO_IMAGE["description"], draw_hero(), HERO_IMAGE["filename"]
        )
        documents = {spec["key"]: self.document(spec) for spec in DOCUMENTS}

        edition = create_edition(home, hero, logos, documents)
        tracks = {track["key"]: create_track(edition, track, self.icon(track)) for track in TRACKS}
        create_programme(edition, tracks)
        create_documents_page(edition, documents)
        registration = create_form(
            edition, RegistrationFormPage, RegistrationFormField, REGISTRATION, FORM_FIELDS
        )
        project_form = create_form(
            edition,
            QuestionnairePage,
            QuestionnaireFormField,
            QUESTIONNAIRE_PAGE,
            QUESTIONNAIRE_FIELDS,
        )
        edition.how_to_take_part = EDITION["how_to_take_part"].format(
            registration=registration.pk,
            project_form=project_form.pk,
            questionnaire=documents["questionnaire"].pk,
        )
        publish(edition)
        update_home(home, logos[0])
        return edition

    def icon(self, track):
        return self.image(
            f"Значок напряму: {track['title']}",
            track["icon_alt"],
            draw_icon(track),
            f"track-{track['slug']}.png",
        )


def demo_collection():
    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name=COLLECTION_NAME).first()
    return existing or root.add_child(name=COLLECTION_NAME)


def create_edition(home, hero, logos, documents):
    """The edition page with its venue, partners and links. It is published at the end,
    once its how-to-take-part text can link the registration form."""
    built_below = {"goals", "audience", "how_to_take_part"}
    edition = EditionPage(
        **{key: value for key, value in EDITION.items() if key not in built_below},
        goals=[("goal", goal) for goal in EDITION["goals"]],
        audience=[("group", group) for group in EDITION["audience"]],
        hero_image=hero,
        venues=validated([Venue(**VENUE)], "edition"),
        partners=validated(
            [
                EditionPartner(name=p["name"], role=p["role"], url=p["url"], logo=logo)
                for p, logo in zip(PARTNERS, logos, strict=True)
            ],
            "edition",
        ),
        links=validated(
            [
                EditionLink(
                    label=link["label"],
                    link_document=documents.get(link.get("document")),
                    link_url=link.get("url", ""),
                )
                for link in LINKS
            ],
            "edition",
        ),
    )
    home.add_child(instance=edition)
    return edition


def create_track(edition, track, icon):
    page = TrackPage(
        title=track["title"],
        slug=track["slug"],
        short_description=track["short_description"],
        body=track["body"],
        colour=track["colour"],
        image=icon,
    )
    return publish(page, edition)


def create_programme(edition, tracks):
    programme = publish(ProgrammePage(**PROGRAMME), edition)
    venue = edition.venues.first()
    for date, day in program_days():
        sessions = [
            Session(
                start_time=parse_time(start),
                end_time=parse_time(end),
                kind=kind,
                track=tracks.get(track),
                venue=venue,
                spot=spot,
                title=title,
                hosts=hosts,
                description=description,
            )
            for start, end, kind, track, spot, title, hosts, description in day["sessions"]
        ]
        page = DayPage(
            title=day["title"],
            slug=date.isoformat(),
            date=date,
            intro=DAY_NOTICE + day["intro"],
            sessions=validated(sessions, "page"),
        )
        publish(page, programme)
    return programme


def create_documents_page(edition, documents):
    items = [
        DocumentItem(document=documents[spec["key"]], description=spec["description"])
        for spec in DOCUMENTS
    ]
    page = DocumentsPage(**DOCUMENTS_PAGE, document_items=validated(items, "page"))
    return publish(page, edition)


def create_form(edition, page_model, field_model, page_spec, field_specs):
    """A form page of the edition, with its fields; the press office gets the copies."""
    fields = [field_model(**spec) for spec in field_specs]
    page = page_model(
        **page_spec, to_address=edition.contact_email, form_fields=validated(fields, "page")
    )
    return publish(page, edition)


def update_home(home, organiser_logo):
    home.intro = HOME_INTRO
    publish(home)
    site_settings = SiteSettings.for_site(home.get_site())
    for name, value in SITE_SETTINGS.items():
        setattr(site_settings, name, value)
    site_settings.organiser_logo = organiser_logo
    site_settings.full_clean()
    site_settings.save()


def summary(edition, stored):
    """What the demo consists of, counted in the database."""
    pages = edition.get_descendants(inclusive=True)
    page_ids = [str(pk) for pk in [*pages.values_list("pk", flat=True), edition.get_parent().pk]]
    days = DayPage.objects.descendant_of(edition)
    return {
        "pages": pages.count(),
        "page revisions (with the home page)": Revision.page_revisions.filter(
            object_id__in=page_ids
        ).count(),
        "tracks": TrackPage.objects.child_of(edition).count(),
        "programme days": days.count(),
        "sessions": Session.objects.filter(page__in=days).count(),
        "venues": edition.venues.count(),
        "partners": edition.partners.count(),
        "links": edition.links.count(),
        "images": sum(isinstance(item, get_image_model()) for item in stored),
        "documents": sum(isinstance(item, get_document_model()) for item in stored),
        "form fields": RegistrationFormField.objects.filter(page__in=pages).count()
        + QuestionnaireFormField.objects.filter(page__in=pages).count(),
    }


# The upcoming edition: built from 2017 by the rollover, as next year's team would,
# so that the demo has open forms, a /current/ edition and 2017 in the archive.
UPCOMING_STARTS_IN = datetime.timedelta(days=21)
UPCOMING_NOTICE = (
    "<p><b>Демонстраційний випуск.</b> Його створила команда завантаження демо-вмісту "
    "з минулого випуску «Майстерні міста Житомир» — так, як команда наступного року "
    "створює новий випуск з попереднього. Такого випуску не заплановано: дати, "
    "програма й форми тут для того, щоб показати, як сайт виглядає перед подією.</p>"
)
UPCOMING_FORM_NOTICE = (
    "<p><b>Демонстраційна форма.</b> Вона працює, як справжня, але заявки з неї "
    "ніхто не розглядає.</p>"
)


def upcoming_start(today=None):
    """The upcoming edition's first day: three weeks after today in Kyiv."""
    return (today or timezone.localdate()) + UPCOMING_STARTS_IN


def create_upcoming_edition(home, edition, today=None):
    """The upcoming demonstration edition, rolled over from `edition` and published
    whole; None (and nothing created) when its year is the edition's or already has
    an edition."""
    start = upcoming_start(today)
    if start.year == edition.start_date.year or year_taken(home, start.year):
        return None
    # As the admin would: the edition as stored (its images with their sizes).
    upcoming = Rollover(EditionPage.objects.get(pk=edition.pk), start).run()
    mark_as_demonstration(upcoming)
    # «Опублікувати випуск», as an editor would: every page, parents first.
    report = publish_edition(upcoming)
    if report.drafts:
        left = "; ".join(f"{result.page.title}: {result.reason}" for result in report.drafts)
        raise CommandError(f"The upcoming demo edition could not be published: {left}")
    return EditionPage.objects.get(pk=upcoming.pk)


def mark_as_demonstration(upcoming):
    """Say on the edition's page and on its forms that they are demonstration content
    (its programme days say so already, as 2017's do). Written after the rollover, so
    that nothing of it is taken for a date to move."""
    for page, field_name, notice in [
        (upcoming, "about", UPCOMING_NOTICE),
        *(
            (form, "intro", UPCOMING_FORM_NOTICE)
            for model in (RegistrationFormPage, QuestionnairePage)
            for form in model.objects.child_of(upcoming)
        ),
    ]:
        draft = page.get_latest_revision_as_object()
        setattr(draft, field_name, notice + getattr(draft, field_name))
        draft.save_revision()


@dataclass
class Outcome:
    created: bool
    message: str
    counts: dict = field(default_factory=dict)


def find_home():
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    home = site.root_page.specific if site else None
    if not isinstance(home, HomePage):
        raise CommandError("No home page is the default site's root: run migrate first.")
    return home


def load_demo(if_empty=False, today=None):
    """Build the 2017 Zhytomyr edition unless it (or, with if_empty, any edition)
    exists, and from it, with the rollover, an upcoming demonstration edition that
    starts three weeks after `today` (Kyiv), published: open forms and a current
    edition, 2017 in the archive."""
    home = find_home()
    if if_empty and EditionPage.objects.exists():
        return Outcome(False, "An edition already exists: the demo was not loaded.")
    slug = year_slug(EDITION["start_date"])
    if EditionPage.objects.child_of(home).filter(slug=slug).exists():
        return Outcome(False, f"The {slug} edition already exists: nothing to do.")

    loader = DemoLoader()
    try:
        # The dates drawn in the PDFs are worded in Ukrainian, whatever the active language.
        with translation.override("uk"), transaction.atomic():
            edition = loader.load(home)
            upcoming = create_upcoming_edition(home, edition, today)
    except Exception:
        loader.remove_stored_files()
        raise
    message = f"Created the demo edition «{edition.title}» at {edition.url} (past)"
    counts = summary(edition, loader.stored)
    if upcoming is None:
        year = upcoming_start(today).year
        message += f"; no upcoming edition: {year} is the demo's year or already taken"
    else:
        message += (
            f", and from it with the rollover the upcoming demonstration edition at "
            f"{upcoming.url}, from {upcoming.start_date}, published"
        )
        counts["upcoming edition's pages (published)"] = (
            upcoming.get_descendants(inclusive=True).live().count()
        )
        counts["upcoming edition's programme days"] = DayPage.objects.descendant_of(
            upcoming
        ).count()
    return Outcome(True, message, counts)
