"""The website in the demo: Kasama City's site in Japanese and English — the home page's
lead and quick links, seven sections (くらし・手続 … 市政情報), tourism spots, crafts and
produce, an industrial park, a shopping street, news, events over the next three months,
the holiday doctor rota for the next eight weeks, service guides, pages that lead to the
procedures demo's catalog, the disaster hub, and the open data catalogue with dataset list
pages whose rows are imported from the standard-layout files in `portal/demo_data/`.

Called by `core.demo.loader` inside its transaction, after the facilities. Idempotent:
pages are found by their slug below their parent (and their English translation by
locale), duties by date, kind and clinic, imports by the file's SHA-256; what exists is
never overwritten, so an editor's changes in the demo survive the next `make demo`.

Kasama's well-known places and products (笠間稲荷神社, 笠間芸術の森公園, 笠間焼, 栗,
ギャラリーロード, 茨城中央工業団地) are described in general terms; every figure the
demo invents (opening hours, fees, areas, prices, dates, clinics, addresses) is marked
デモ on the page or in the data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from wagtail.models import Locale, Page

from madoguchi.core.models import Department, Municipality
from madoguchi.core.tenancy import municipality_scope

from .models import (
    BusinessSitePage,
    BusinessSiteStatus,
    ContentPage,
    DatasetListPage,
    DisasterHubPage,
    DutyKind,
    EventCategory,
    EventIndexPage,
    EventPage,
    HolidayDoctorDuty,
    HolidayDoctorRotaPage,
    MunicipalityHomePage,
    NewsCategory,
    NewsIndexPage,
    NewsPage,
    OpenDataCatalogPage,
    OpenDataImport,
    OpenDataImportStatus,
    ProcedureLinkPage,
    SectionPage,
    ServiceField,
    ServiceGuidePage,
    ShopCategory,
    ShopKind,
    ShopPage,
    SpecialtyKind,
    SpecialtyPage,
    TourismCategory,
    TourismSpotPage,
    Zoning,
)

if TYPE_CHECKING:
    from madoguchi.core.demo.loader import DemoLoader

KASAMA_CODE = "082163"
STAFF_EMAIL = "admin@kasama.example"
DATA_DIR = Path(__file__).resolve().parent / "demo_data"
#: The standard-layout files the demo imports: (dataset file id, file name).
OPEN_DATA_FILES = (
    ("aed", "082163_aed.csv"),
    ("hospital", "082163_hospital.csv"),
    ("preschool", "082163_preschool.csv"),
    ("evacuation_space", "082163_evacuation_space.csv"),
)

DEMO_JA = "<p><small>（デモ用の想定内容です。日時・料金・数値などは笠間市の公表内容ではありません。）</small></p>"
DEMO_EN = (
    "<p><small>(Demo content: dates, fees and figures are assumptions, "
    "not the city's published information.)</small></p>"
)


@dataclass(frozen=True)
class PageSpec:
    """One page of the demo: its type and slug, the fields in Japanese (`ja`, title
    included), what the English translation changes (`en`), fields the same in both
    (`common`), the owning department's code and the procedure's slug (when any)."""

    model: type[Page]
    slug: str
    ja: dict[str, Any]
    en: dict[str, Any]
    common: dict[str, Any] = field(default_factory=dict)
    department: str = ""
    procedure: str = ""
    in_menu: bool = False
    children: tuple[PageSpec, ...] = ()


def _demo(html_ja: str, html_en: str) -> tuple[str, str]:
    """Body text with the demo's note below it."""
    return html_ja + DEMO_JA, html_en + DEMO_EN


def _next_weekday(day: dt.date, weekday: int, weeks: int = 0) -> dt.date:
    """The first `weekday` (0 = Monday) on or after `day`, `weeks` later."""
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7 + 7 * weeks)


# --- The tree ------------------------------------------------------------------------------


def _kurashi() -> PageSpec:
    gomi_ja, gomi_en = _demo(
        "<h2>ごみの分け方</h2><ul><li>燃やせるごみ：週2回</li><li>燃やせないごみ：月1回</li>"
        "<li>資源物（びん・缶・ペットボトル）：月2回</li></ul>"
        "<p>収集日は地区ごとに異なります。地区のごみ収集カレンダーをご確認ください。</p>",
        "<h2>Sorting your rubbish</h2><ul><li>Burnable: twice a week</li><li>Non-burnable: once a month</li>"
        "<li>Recyclables (bottles, cans, PET bottles): twice a month</li></ul>"
        "<p>Collection days differ by district: see your district's collection calendar.</p>",
    )
    return PageSpec(
        SectionPage,
        "kurashi",
        {"title": "くらし・手続", "lead": "住民票や戸籍、引っ越し、ごみ、税金など、毎日のくらしの手続と案内です。"},
        {"title": "Living & procedures", "lead": "Certificates, moving house, rubbish, taxes: everyday procedures."},
        in_menu=True,
        department="shimin",
        children=(
            PageSpec(
                ProcedureLinkPage,
                "jumin-hyo",
                {"title": "住民票の写しの請求", "lead": "住民票の写しは、窓口のほかオンラインでも請求できます。"},
                {"title": "Requesting a copy of your residence record", "lead": "At the counter or online."},
                procedure="jumin-hyo",
                department="shimin",
            ),
            PageSpec(
                ProcedureLinkPage,
                "tenshutsu",
                {"title": "市外へ引っ越すとき（転出届）", "lead": "市外へ引っ越すときは転出届を出してください。"},
                {"title": "Moving out of the city", "lead": "Notify the city when you move to another municipality."},
                procedure="tenshutsu",
                department="shimin",
            ),
            PageSpec(
                ContentPage,
                "gomi",
                {
                    "title": "ごみの出し方",
                    "lead": "ごみは分別して、決められた日の朝8時までに出してください。",
                    "body": gomi_ja,
                },
                {"title": "Putting out rubbish", "lead": "Sort your rubbish and put it out by 8 a.m.", "body": gomi_en},
                department="kankyo-hozen",
            ),
        ),
    )


def _kenko() -> PageSpec:
    rota_ja, rota_en = _demo(
        "<p>急な病気やけがで迷ったときは、茨城県救急電話相談（#7119）、子どもの場合は"
        "茨城子ども救急電話相談（#8000）に相談できます。</p>"
        "<p>受診する前に、必ず医療機関に電話で確認してください。</p>",
        "<p>If you are unsure whether to see a doctor, call the Ibaraki emergency advice line (#7119), "
        "or for children #8000.</p><p>Always phone the clinic before you go.</p>",
    )
    vacc_ja, vacc_en = _demo(
        "<p>ヒブ、小児の肺炎球菌、B型肝炎、四種混合、BCG、麻しん風しん（MR）、水痘、日本脳炎などの"
        "定期予防接種を、市が委託する医療機関で受けられます。</p>",
        "<p>Routine vaccinations (Hib, pneumococcal, hepatitis B, DPT-IPV, BCG, MR, varicella, "
        "Japanese encephalitis …) are given at the clinics the city contracts.</p>",
    )
    return PageSpec(
        SectionPage,
        "kenko",
        {"title": "健康・福祉", "lead": "健診や予防接種、休日の当番医、医療機関、福祉のご案内です。"},
        {"title": "Health & welfare", "lead": "Check-ups, vaccinations, holiday doctors, clinics and welfare."},
        in_menu=True,
        department="kenko-zoshin",
        children=(
            PageSpec(
                HolidayDoctorRotaPage,
                "kyujitsu-toban",
                {
                    "title": "休日当番医",
                    "lead": "日曜日・祝日に診療する医療機関です（受付時間内にお越しください）。",
                    "body": rota_ja,
                },
                {
                    "title": "Holiday duty doctors",
                    "lead": "Clinics open on Sundays and public holidays.",
                    "body": rota_en,
                },
                department="kenko-zoshin",
            ),
            PageSpec(
                ServiceGuidePage,
                "yobo-sesshu",
                {
                    "title": "子どもの予防接種",
                    "lead": "決められた時期に受ける定期予防接種は無料です。",
                    "target": "笠間市に住民登録のあるお子さん（接種の対象年齢の方）",
                    "content": vacc_ja,
                    "how_to_apply": "<p>市が送る予診票を持って、委託医療機関に予約してください。"
                    "予診票をなくしたときは再発行を申請できます。</p>",
                    "fee": "無料（定期接種の対象期間内）",
                    "required_items": "予診票、母子健康手帳、健康保険証",
                },
                {
                    "title": "Vaccinations for children",
                    "lead": "Routine vaccinations at the recommended ages are free.",
                    "target": "Children registered as residents of Kasama, at the ages each vaccine is for",
                    "content": vacc_en,
                    "how_to_apply": "<p>Book at a contracted clinic and bring the screening form the city sends. "
                    "You can ask for a new form if you lost it.</p>",
                    "fee": "Free (within the routine period)",
                    "required_items": "Screening form, maternal and child health handbook, health insurance card",
                },
                common={"field": ServiceField.HEALTH},
                procedure="yobo-sesshu",
                department="kenko-zoshin",
            ),
            PageSpec(
                DatasetListPage,
                "iryo-kikan",
                {"title": "医療機関の一覧", "lead": "市内の病院・診療所・歯科診療所です（デモ用の架空の医療機関）。"},
                {
                    "title": "Hospitals and clinics",
                    "lead": "Hospitals and clinics in the city (fictional, for the demo).",
                },
                common={"dataset": "hospital"},
                department="kenko-zoshin",
            ),
            PageSpec(
                DatasetListPage,
                "aed",
                {"title": "AEDの設置場所", "lead": "市内のAED（自動体外式除細動器）の設置場所です。"},
                {"title": "Where to find an AED", "lead": "Automated external defibrillators in the city."},
                common={"dataset": "aed"},
                department="bosai-kiki-kanri",
            ),
        ),
    )


def _kosodate() -> PageSpec:
    teate_ja, teate_en = _demo(
        "<p>0歳から高校生年代（18歳到達後の最初の3月31日まで）のお子さんを養育している方に支給します。"
        "所得制限はありません。</p><ul><li>3歳未満：月額15,000円</li><li>3歳から高校生年代：月額10,000円</li>"
        "<li>第3子以降：月額30,000円</li></ul><p>偶数月に前月分までの2か月分を支給します。</p>",
        "<p>Paid to those raising children from birth to the end of the school year in which they turn 18, "
        "with no income limit.</p><ul><li>Under 3: ¥15,000 a month</li><li>3 to high-school age: ¥10,000 a month"
        "</li><li>Third child and later: ¥30,000 a month</li></ul><p>Paid every even month for the two months "
        "before.</p>",
    )
    kenshin_ja, kenshin_en = _demo(
        "<p>4か月児、1歳6か月児、3歳児を対象に、身体計測、診察、育児相談などを行います。"
        "対象のお子さんには、個別に案内を送ります。</p>",
        "<p>Check-ups at 4 months, 1 year 6 months and 3 years: measurements, a doctor's examination and "
        "parenting advice. The city writes to each family when it is time.</p>",
    )
    return PageSpec(
        SectionPage,
        "kosodate",
        {"title": "子育て・教育", "lead": "妊娠・出産から、手当、健診、保育所、学校までのご案内です。"},
        {"title": "Children & education", "lead": "Pregnancy, allowances, check-ups, nurseries and schools."},
        in_menu=True,
        department="kodomo-seisaku",
        children=(
            PageSpec(
                ServiceGuidePage,
                "jido-teate",
                {
                    "title": "児童手当",
                    "lead": "高校生年代までのお子さんを養育している方に、児童手当を支給します。",
                    "target": "笠間市に住民登録があり、高校生年代までのお子さんを養育している方",
                    "content": teate_ja,
                    "how_to_apply": "<p>出生や転入の日の翌日から15日以内に認定請求をしてください。"
                    "オンラインでも申請できます。</p>",
                    "fee": "無料",
                    "required_items": "請求者名義の口座がわかるもの、本人確認書類",
                },
                {
                    "title": "Child allowance",
                    "lead": "An allowance for those raising children up to high-school age.",
                    "target": "Residents of Kasama raising children up to high-school age",
                    "content": teate_en,
                    "how_to_apply": "<p>Apply within 15 days of the birth or of moving in; you can apply online.</p>",
                    "fee": "Free",
                    "required_items": "Details of a bank account in the applicant's name, proof of identity",
                },
                common={"field": ServiceField.CHILDCARE},
                procedure="jido-teate",
                department="kodomo-fukushi",
            ),
            PageSpec(
                ServiceGuidePage,
                "nyuyoji-kenshin",
                {
                    "title": "乳幼児健診",
                    "lead": "お子さんの成長と発達を確かめる健診です。",
                    "target": "4か月児、1歳6か月児、3歳児",
                    "content": kenshin_ja,
                    "how_to_apply": "<p>案内に書かれた日時に、保健センターへお越しください。</p>",
                    "fee": "無料",
                    "required_items": "母子健康手帳、問診票",
                },
                {
                    "title": "Check-ups for babies and toddlers",
                    "lead": "Check-ups on your child's growth and development.",
                    "target": "Children aged 4 months, 1 year 6 months and 3 years",
                    "content": kenshin_en,
                    "how_to_apply": "<p>Come to the health centre at the date and time in the letter.</p>",
                    "fee": "Free",
                    "required_items": "Maternal and child health handbook, questionnaire",
                },
                common={"field": ServiceField.HEALTH},
                department="kenko-zoshin",
            ),
            PageSpec(
                ProcedureLinkPage,
                "hoikusho",
                {"title": "保育所等の入所申込", "lead": "保育所・認定こども園の入所は、オンラインでも申し込めます。"},
                {"title": "Applying for a nursery place", "lead": "You can apply for a nursery place online."},
                procedure="hoikusho",
                department="kodomo-seisaku",
            ),
            PageSpec(
                DatasetListPage,
                "kosodate-shisetsu",
                {"title": "子育て施設の一覧", "lead": "保育所・幼稚園・認定こども園です（デモ用の架空の施設）。"},
                {
                    "title": "Nurseries and kindergartens",
                    "lead": "Nurseries and kindergartens (fictional, for the demo).",
                },
                common={"dataset": "preschool"},
                department="kodomo-seisaku",
            ),
        ),
    )


def _kanko() -> PageSpec:
    inari_ja, inari_en = _demo(
        "<p>日本三大稲荷のひとつに数えられる、笠間のシンボル。"
        "秋の笠間の菊まつりの会場としても知られ、門前通りには飲食店や土産物店が並びます。</p>",
        "<p>Counted among Japan's three great Inari shrines and the symbol of Kasama. "
        "It hosts the autumn chrysanthemum festival; the street before its gate is lined with restaurants "
        "and shops.</p>",
    )
    mori_ja, mori_en = _demo(
        "<p>「工芸の丘」や茨城県陶芸美術館がある、陶芸と芸術をテーマにした県営の公園です。"
        "春の笠間の陶炎祭（ひまつり）の会場にもなります。</p>",
        "<p>A prefectural park on the theme of ceramics and art, with the Kasama Craft Hill and the Ibaraki "
        "Ceramic Art Museum. The spring pottery fair Himatsuri is held here.</p>",
    )
    yaki_ja, yaki_en = _demo(
        "<p>江戸時代中期に始まったといわれる焼き物で、国の伝統的工芸品に指定されています。"
        "決まった様式にとらわれない自由な作風が特徴で、市内には多くの窯元や作家の工房があります。</p>",
        "<p>Pottery said to date from the mid-Edo period and designated a traditional craft of Japan. "
        "Known for its free style, it is made in many kilns and studios across the city.</p>",
    )
    kuri_ja, kuri_en = _demo(
        "<p>茨城県は栗の産地として知られ、笠間市でも多く栽培されています。"
        "秋には採れたての栗や、栗を使った菓子が市内の店に並びます。</p>",
        "<p>Ibaraki is known for chestnuts, and Kasama grows many of them. "
        "In autumn fresh chestnuts and chestnut sweets fill the city's shops.</p>",
    )
    road_ja, road_en = _demo(
        "<p>笠間芸術の森公園の周辺に、陶芸のギャラリーや工房、カフェが点在する通りです。"
        "作家の器を手に取って選べます。</p>",
        "<p>A road around the Kasama Arts Forest Park dotted with pottery galleries, studios and cafés, "
        "where you can pick up and choose potters' work.</p>",
    )
    nichido_ja, nichido_en = _demo(
        "<p>笠間稲荷神社の近くにある美術館で、西洋と日本の近代絵画を中心に所蔵しています。</p>",
        "<p>An art museum near Kasama Inari Shrine, with Western and Japanese modern paintings.</p>",
    )
    return PageSpec(
        SectionPage,
        "kanko",
        {"title": "観光・文化", "lead": "笠間稲荷神社、笠間焼、栗など、笠間の見どころと特産品です。"},
        {"title": "Sightseeing & culture", "lead": "Kasama Inari Shrine, Kasama ware, chestnuts and more."},
        in_menu=True,
        department="shoko",
        children=(
            PageSpec(
                TourismSpotPage,
                "kasama-inari",
                {
                    "title": "笠間稲荷神社",
                    "lead": "日本三大稲荷のひとつ。秋は菊まつりでにぎわいます。",
                    "body": inari_ja,
                    "hours_note": "境内は終日参拝可（授与所の受付時間はデモの想定）",
                    "admission": "参拝無料",
                    "access": "JR水戸線 笠間駅から徒歩約20分",
                    "parking": "周辺に有料駐車場あり",
                    "address": "茨城県笠間市笠間",
                },
                {
                    "title": "Kasama Inari Shrine",
                    "lead": "One of Japan's three great Inari shrines, busy in autumn with the chrysanthemum festival.",
                    "body": inari_en,
                    "hours_note": "Grounds open all day (office hours are the demo's assumption)",
                    "admission": "Free",
                    "access": "About 20 minutes' walk from Kasama Station (JR Mito Line)",
                    "parking": "Paid car parks nearby",
                    "address": "Kasama, Kasama City, Ibaraki",
                },
                common={
                    "category": TourismCategory.SHRINE_TEMPLE,
                    "latitude": Decimal("36.385600"),
                    "longitude": Decimal("140.256900"),
                    "open_weekdays": "月火水木金土日",
                    "opening_time": dt.time(8, 30),
                    "closing_time": dt.time(16, 30),
                },
                department="shoko",
            ),
            PageSpec(
                TourismSpotPage,
                "geijutsu-no-mori",
                {
                    "title": "笠間芸術の森公園",
                    "lead": "陶芸と芸術がテーマの広い公園。工芸の丘や陶芸美術館があります。",
                    "body": mori_ja,
                    "hours_note": "施設により異なります（デモの想定）",
                    "admission": "入園無料（美術館などは有料）",
                    "access": "JR水戸線 笠間駅から車で約5分",
                    "parking": "無料駐車場あり",
                    "barrier_free": "多目的トイレ、車椅子の貸出あり（デモの想定）",
                    "address": "茨城県笠間市笠間",
                },
                {
                    "title": "Kasama Arts Forest Park",
                    "lead": "A large park on the theme of ceramics and art.",
                    "body": mori_en,
                    "hours_note": "Depends on the facility (demo assumption)",
                    "admission": "Park free (museums charge)",
                    "access": "About 5 minutes by car from Kasama Station",
                    "parking": "Free car park",
                    "barrier_free": "Accessible toilets, wheelchairs to borrow (demo assumption)",
                    "address": "Kasama, Kasama City, Ibaraki",
                },
                common={
                    "category": TourismCategory.NATURE,
                    "latitude": Decimal("36.378500"),
                    "longitude": Decimal("140.254000"),
                    "open_weekdays": "火,水,木,金,土,日",
                    "opening_time": dt.time(9),
                    "closing_time": dt.time(17),
                },
                department="shoko",
            ),
            PageSpec(
                TourismSpotPage,
                "nichido-bijutsukan",
                {
                    "title": "笠間日動美術館",
                    "lead": "近代の西洋絵画と日本の洋画を所蔵する美術館です。",
                    "body": nichido_ja,
                    "admission": "有料（料金はデモでは省略）",
                    "access": "笠間稲荷神社から徒歩約5分",
                    "address": "茨城県笠間市笠間",
                },
                {
                    "title": "Kasama Nichido Museum of Art",
                    "lead": "A museum of modern Western and Japanese paintings.",
                    "body": nichido_en,
                    "admission": "Charged (not given in the demo)",
                    "access": "About 5 minutes' walk from Kasama Inari Shrine",
                    "address": "Kasama, Kasama City, Ibaraki",
                },
                common={
                    "category": TourismCategory.ART,
                    "latitude": Decimal("36.387200"),
                    "longitude": Decimal("140.258800"),
                },
                department="shoko",
            ),
            PageSpec(
                SpecialtyPage,
                "kasama-yaki",
                {
                    "title": "笠間焼",
                    "lead": "自由な作風で知られる、国指定の伝統的工芸品です。",
                    "body": yaki_ja,
                    "where_to_buy": "<p>ギャラリーロード、笠間工芸の丘、市内の窯元・ギャラリー</p>",
                    "producers": "笠間焼協同組合ほか、市内の窯元・作家",
                    "season": "通年（春の陶炎祭、秋の笠間浪漫など）",
                },
                {
                    "title": "Kasama ware",
                    "lead": "A traditional craft of Japan known for its free style.",
                    "body": yaki_en,
                    "where_to_buy": "<p>Gallery Road, Kasama Craft Hill, the city's kilns and galleries</p>",
                    "producers": "The Kasama ware cooperative and the city's potters",
                    "season": "All year (Himatsuri in spring, events in autumn)",
                },
                common={"kind": SpecialtyKind.CRAFT},
                department="shoko",
            ),
            PageSpec(
                SpecialtyPage,
                "kuri",
                {
                    "title": "笠間の栗",
                    "lead": "秋の味覚。採れたての栗と栗の菓子が楽しめます。",
                    "body": kuri_ja,
                    "where_to_buy": "<p>市内の直売所、菓子店、道の駅など</p>",
                    "producers": "市内の栗生産者",
                    "season": "9月～10月",
                },
                {
                    "title": "Kasama chestnuts",
                    "lead": "The taste of autumn: fresh chestnuts and chestnut sweets.",
                    "body": kuri_en,
                    "where_to_buy": "<p>Farm shops, confectioners and roadside stations in the city</p>",
                    "producers": "The city's chestnut growers",
                    "season": "September to October",
                },
                common={"kind": SpecialtyKind.PRODUCE},
                department="nosei",
            ),
            PageSpec(
                ShopPage,
                "gallery-road",
                {
                    "title": "ギャラリーロード",
                    "lead": "陶芸のギャラリーや工房、カフェが並ぶ通りです。",
                    "body": road_ja,
                    "opening_hours": "店舗により異なります",
                    "closed_days": "店舗により異なります",
                    "payment": "店舗により異なります",
                    "address": "茨城県笠間市笠間",
                },
                {
                    "title": "Gallery Road",
                    "lead": "A road of pottery galleries, studios and cafés.",
                    "body": road_en,
                    "opening_hours": "Depends on the shop",
                    "closed_days": "Depends on the shop",
                    "payment": "Depends on the shop",
                    "address": "Kasama, Kasama City, Ibaraki",
                },
                common={
                    "kind": ShopKind.STREET,
                    "category": ShopCategory.GALLERY,
                    "number_of_shops": 20,
                    "latitude": Decimal("36.377000"),
                    "longitude": Decimal("140.252000"),
                },
                department="shoko",
            ),
        ),
    )


def _sangyo() -> PageSpec:
    site_ja, site_en = _demo(
        "<p>北関東自動車道と常磐自動車道に近く、首都圏と北関東を結ぶ物流・製造の拠点として"
        "整備された工業団地です。区画や価格は、企業誘致の担当にお問い合わせください。</p>",
        "<p>An industrial park close to the Kita-Kanto and Joban expressways, a base for logistics and "
        "manufacturing between Tokyo and northern Kanto. Ask the investment team about plots and prices.</p>",
    )
    return PageSpec(
        SectionPage,
        "sangyo",
        {"title": "産業・しごと", "lead": "企業立地、農業、商工業、しごとのご案内です。"},
        {"title": "Business & work", "lead": "Business sites, farming, commerce and jobs."},
        in_menu=True,
        department="shoko",
        children=(
            PageSpec(
                BusinessSitePage,
                "ibaraki-chuo-kogyo-danchi",
                {
                    "title": "茨城中央工業団地（笠間地区）",
                    "lead": "高速道路に近い工業団地です。分譲区画のご相談を受け付けています。",
                    "body": site_ja,
                    "price_note": "区画により異なります（面積・価格はデモの想定）",
                    "utilities": "上水道、電力（特別高圧）、都市ガスなし、排水は公共下水道（デモの想定）",
                    "access": "北関東自動車道 友部ICから約3km（デモの想定）",
                    "incentives": "固定資産税の課税免除、雇用奨励金（デモの想定）",
                    "address": "茨城県笠間市",
                },
                {
                    "title": "Ibaraki Chuo Industrial Park (Kasama area)",
                    "lead": "An industrial park near the expressways, with plots available.",
                    "body": site_en,
                    "price_note": "Depends on the plot (areas and prices are the demo's assumptions)",
                    "utilities": "Water, extra-high-voltage power, no town gas, public sewer (demo assumption)",
                    "access": "About 3 km from Tomobe IC on the Kita-Kanto Expressway (demo assumption)",
                    "incentives": "Fixed-asset tax exemption, employment grants (demo assumption)",
                    "address": "Kasama City, Ibaraki",
                },
                common={
                    "status": BusinessSiteStatus.FOR_SALE,
                    "zoning": Zoning.INDUSTRIAL,
                    "total_area_m2": Decimal("500000"),
                    "available_area_m2": Decimal("42000"),
                    "price_per_m2": 12000,
                    "building_coverage": 60,
                    "floor_area_ratio": 200,
                    "latitude": Decimal("36.330000"),
                    "longitude": Decimal("140.290000"),
                },
                department="kigyo-yuchi-iju",
            ),
        ),
    )


def _bosai() -> PageSpec:
    hub_ja, hub_en = _demo(
        "<h2>日ごろの備え</h2><ul><li>3日分以上の飲料水と食料</li><li>懐中電灯、携帯ラジオ、モバイルバッテリー</li>"
        "<li>常備薬、お薬手帳</li></ul><p>避難場所と避難の経路を、家族で確かめておきましょう。</p>",
        "<h2>Be prepared</h2><ul><li>Water and food for at least three days</li>"
        "<li>A torch, a portable radio, a power bank</li><li>Your regular medicines and medicine record</li></ul>"
        "<p>Agree with your family where you will evacuate to and how.</p>",
    )
    hazard_ja, hazard_en = _demo(
        "<p>洪水や土砂災害のおそれがある区域と避難場所を地図で示したものです。"
        "ご自宅や職場の周りを確かめてください。</p>",
        "<p>Maps of the areas at risk of floods and landslides, with evacuation sites. "
        "Check the area around your home and work.</p>",
    )
    return PageSpec(
        SectionPage,
        "bosai",
        {"title": "防災・安全", "lead": "災害への備え、避難場所、防犯・交通安全のご案内です。"},
        {"title": "Safety & disasters", "lead": "Disaster preparation, evacuation sites, safety."},
        in_menu=True,
        department="bosai-kiki-kanri",
        children=(
            PageSpec(
                DisasterHubPage,
                "bosai-joho",
                {"title": "防災情報", "lead": "災害の情報、避難場所、日ごろの備えをまとめています。", "body": hub_ja},
                {
                    "title": "Disaster information",
                    "lead": "Current alerts, evacuation sites and preparation.",
                    "body": hub_en,
                },
                department="bosai-kiki-kanri",
                children=(
                    PageSpec(
                        ContentPage,
                        "hazard-map",
                        {"title": "ハザードマップ", "lead": "洪水・土砂災害のハザードマップです。", "body": hazard_ja},
                        {"title": "Hazard maps", "lead": "Flood and landslide hazard maps.", "body": hazard_en},
                        department="bosai-kiki-kanri",
                    ),
                ),
            ),
        ),
    )


def _shisei() -> PageSpec:
    about_ja, about_en = _demo(
        "<p>笠間市は茨城県の中央部にあり、2006年に笠間市・友部町・岩間町が合併して誕生しました。"
        "笠間焼と笠間稲荷神社で知られ、栗の産地でもあります。</p>",
        "<p>Kasama lies in the centre of Ibaraki Prefecture; it was formed in 2006 by the merger of Kasama City, "
        "Tomobe Town and Iwama Town. It is known for Kasama ware and Kasama Inari Shrine, and for chestnuts.</p>",
    )
    od_ja = (
        "<p>笠間市が公開するデータを、自治体標準オープンデータセットの形式（CSV、UTF-8）で提供しています。"
        "クリエイティブ・コモンズ 表示 4.0 国際（CC BY 4.0）で、どなたでも自由に利用できます。</p>" + DEMO_JA
    )
    od_en = (
        "<p>The city's data in the layout of Japan's standard municipal open data sets (CSV, UTF-8), "
        "free for anyone to use under Creative Commons Attribution 4.0 (CC BY 4.0).</p>" + DEMO_EN
    )
    return PageSpec(
        SectionPage,
        "shisei",
        {"title": "市政情報", "lead": "市の紹介、計画、財政、オープンデータなどの情報です。"},
        {"title": "City government", "lead": "About the city, plans, finance and open data."},
        in_menu=True,
        department="kikaku-seisaku",
        children=(
            PageSpec(
                ContentPage,
                "shokai",
                {"title": "笠間市の紹介", "lead": "茨城県の中央にある、焼き物と栗のまちです。", "body": about_ja},
                {
                    "title": "About Kasama",
                    "lead": "A city of pottery and chestnuts in central Ibaraki.",
                    "body": about_en,
                },
                department="kikaku-seisaku",
            ),
            PageSpec(
                OpenDataCatalogPage,
                "open-data",
                {"title": "オープンデータ", "lead": "市のデータを自由に使える形式で公開しています。", "body": od_ja},
                {"title": "Open data", "lead": "The city's data, free to reuse.", "body": od_en},
                department="kikaku-seisaku",
            ),
            PageSpec(
                DatasetListPage,
                "hinan-basho",
                {"title": "指定緊急避難場所の一覧", "lead": "災害の種類ごとの指定緊急避難場所です。"},
                {"title": "Designated evacuation sites", "lead": "Evacuation sites by kind of disaster."},
                common={"dataset": "evacuation_space"},
                department="bosai-kiki-kanri",
            ),
        ),
    )


#: News: (slug, days before today, category, ja title, en title, ja body, en body).
NEWS = (
    (
        "kiku-matsuri-kotsu-kisei",
        2,
        NewsCategory.TOURISM,
        "笠間の菊まつり期間中の交通規制について",
        "Traffic restrictions during the chrysanthemum festival",
        "<p>期間中の土日祝日は、笠間稲荷神社周辺で交通規制を行います。公共交通機関をご利用ください。</p>",
        "<p>On weekends and holidays during the festival, roads around Kasama Inari Shrine are restricted. "
        "Please use public transport.</p>",
    ),
    (
        "jido-teate-kaisei",
        9,
        NewsCategory.CHILDCARE,
        "児童手当の制度が変わりました",
        "Changes to the child allowance",
        "<p>所得制限の撤廃、高校生年代までの支給延長、第3子以降の増額が行われました。</p>",
        "<p>The income limit is gone, payments continue to high-school age, and third children receive more.</p>",
    ),
    (
        "bosai-kunren",
        15,
        NewsCategory.SAFETY,
        "市内一斉防災訓練を実施しました",
        "City-wide disaster drill held",
        "<p>各地区で避難訓練と安否確認の訓練を行いました。ご協力ありがとうございました。</p>",
        "<p>Evacuation and safety-check drills were held in every district. Thank you for taking part.</p>",
    ),
    (
        "madoguchi-online",
        21,
        NewsCategory.LIVING,
        "住民票の写しのオンライン請求を始めました",
        "Residence record copies can now be requested online",
        "<p>マイナンバーカードをお持ちの方は、住民票の写しをオンラインで請求できます。</p>",
        "<p>With a My Number Card you can now request a copy of your residence record online.</p>",
    ),
    (
        "kosei-chosa",
        30,
        NewsCategory.ADMINISTRATION,
        "市民意識調査の結果を公表しました",
        "Results of the residents' survey published",
        "<p>市民のみなさまにご協力いただいた意識調査の結果を公表しました。</p>",
        "<p>The results of the survey residents answered are now published.</p>",
    ),
    (
        "inful-yobo",
        5,
        NewsCategory.HEALTH,
        "インフルエンザの予防接種費用の助成",
        "Help with the cost of flu vaccination",
        "<p>65歳以上の方などのインフルエンザ予防接種の費用を助成します。</p>",
        "<p>The city helps with the cost of flu vaccination for people aged 65 and over, among others.</p>",
    ),
)


def _news(today: dt.date) -> PageSpec:
    children = []
    for slug, days_ago, category, title_ja, title_en, body_ja, body_en in NEWS:
        children.append(
            PageSpec(
                NewsPage,
                slug,
                {"title": title_ja, "body": body_ja + DEMO_JA},
                {"title": title_en, "body": body_en + DEMO_EN},
                common={"date": today - dt.timedelta(days=days_ago), "category": category},
                department="hisho",
            )
        )
    return PageSpec(
        NewsIndexPage,
        "news",
        {"title": "お知らせ", "lead": "市からのお知らせです。"},
        {"title": "News", "lead": "News from the city."},
        in_menu=True,
        department="hisho",
        children=tuple(children),
    )


def _events(today: dt.date) -> PageSpec:
    """Events over the next three months, dated from the day the demo is loaded."""
    sat = _next_weekday(today + dt.timedelta(days=1), 5)
    sun = sat + dt.timedelta(days=1)
    kasama = {"address": "茨城県笠間市笠間", "latitude": Decimal("36.385600"), "longitude": Decimal("140.256900")}
    mori = {"address": "茨城県笠間市笠間", "latitude": Decimal("36.378500"), "longitude": Decimal("140.254000")}
    tomobe = {
        "address": "茨城県笠間市鯉淵6528-66",
        "latitude": Decimal("36.339000"),
        "longitude": Decimal("140.310000"),
    }
    specs = (
        (
            "tojiki-ichi",
            {
                "start_date": sat,
                "end_date": sun,
                "start_time": dt.time(9),
                "end_time": dt.time(16),
                "category": EventCategory.FESTIVAL,
                "is_free": True,
                "capacity": None,
                **mori,
            },
            {
                "title": "笠間焼 陶器市（デモ）",
                "lead": "窯元や作家の器を直接買える陶器市です。",
                "place_name": "笠間芸術の森公園 イベント広場",
                "organiser": "笠間焼陶器市実行委員会（デモ）",
                "contact_name": "商工課",
            },
            {
                "title": "Kasama ware pottery market (demo)",
                "lead": "Buy directly from the kilns and potters.",
                "place_name": "Kasama Arts Forest Park, event square",
                "organiser": "Pottery market committee (demo)",
                "contact_name": "Commerce and Industry Division",
            },
        ),
        (
            "kuri-kansha-sai",
            {
                "start_date": _next_weekday(today, 6, 3),
                "start_time": dt.time(10),
                "end_time": dt.time(15),
                "category": EventCategory.FESTIVAL,
                "fee": "栗ひろい体験 500円",
                **kasama,
            },
            {
                "title": "笠間の栗まつり（デモ）",
                "lead": "採れたての栗と栗の菓子が集まります。",
                "place_name": "稲荷門前通り",
                "organiser": "笠間市（デモ）",
                "contact_name": "農政課",
            },
            {
                "title": "Kasama chestnut festival (demo)",
                "lead": "Fresh chestnuts and chestnut sweets.",
                "fee": "Chestnut picking ¥500",
                "place_name": "Inari Monzen-dori",
                "organiser": "Kasama City (demo)",
                "contact_name": "Agriculture Division",
            },
        ),
        (
            "rokuro-taiken",
            {
                "start_date": _next_weekday(today, 5, 5),
                "start_time": dt.time(13),
                "end_time": dt.time(15, 30),
                "category": EventCategory.CULTURE,
                "fee": "2,000円（材料費込み）",
                "capacity": 12,
                "registration": "電話で商工課へ（先着順）",
                **mori,
            },
            {
                "title": "親子ろくろ体験教室（デモ）",
                "lead": "親子で笠間焼のろくろに挑戦します。",
                "place_name": "笠間工芸の丘",
                "target": "小学生と保護者",
                "organiser": "笠間市（デモ）",
                "contact_name": "商工課",
            },
            {
                "title": "Pottery wheel class for parents and children (demo)",
                "lead": "Try the potter's wheel together.",
                "fee": "¥2,000 (materials included)",
                "registration": "Phone the Commerce and Industry Division (first come)",
                "place_name": "Kasama Craft Hill",
                "target": "Primary school children and a parent",
                "organiser": "Kasama City (demo)",
                "contact_name": "Commerce and Industry Division",
            },
        ),
        (
            "kenko-koza",
            {
                "start_date": _next_weekday(today, 2, 6),
                "start_time": dt.time(10),
                "end_time": dt.time(11, 30),
                "category": EventCategory.HEALTH,
                "is_free": True,
                "capacity": 40,
                "registration": "不要（当日会場へ）",
                **tomobe,
            },
            {
                "title": "はじめての健康づくり講座（デモ）",
                "lead": "保健師による、食事と運動の講座です。",
                "place_name": "友部公民館 講堂",
                "target": "市内在住・在勤の方",
                "organiser": "健康増進課",
                "contact_name": "健康増進課",
            },
            {
                "title": "Health starter class (demo)",
                "lead": "A public health nurse on food and exercise.",
                "registration": "Not needed (come on the day)",
                "place_name": "Tomobe Community Centre, hall",
                "target": "People who live or work in the city",
                "organiser": "Health Promotion Division",
                "contact_name": "Health Promotion Division",
            },
        ),
        (
            "kosodate-hiroba",
            {
                "start_date": _next_weekday(today, 3, 8),
                "start_time": dt.time(10),
                "end_time": dt.time(12),
                "category": EventCategory.CHILDCARE,
                "is_free": True,
                **tomobe,
            },
            {
                "title": "子育てひろば 親子あそびの会（デモ）",
                "lead": "0歳から3歳のお子さんと保護者の交流の場です。",
                "place_name": "友部公民館 和室",
                "target": "0歳～3歳のお子さんと保護者",
                "organiser": "こども政策課",
                "contact_name": "こども政策課",
            },
            {
                "title": "Play morning for parents and toddlers (demo)",
                "lead": "A place to meet for children aged 0 to 3 and their parents.",
                "place_name": "Tomobe Community Centre, Japanese room",
                "target": "Children aged 0 to 3 and their parents",
                "organiser": "Children's Policy Division",
                "contact_name": "Children's Policy Division",
            },
        ),
        (
            "ekiden",
            {
                "start_date": _next_weekday(today, 6, 11),
                "start_time": dt.time(9),
                "end_time": dt.time(13),
                "category": EventCategory.SPORTS,
                "fee": "1チーム 3,000円",
                "capacity": 60,
                "registration": "申込書を体育館へ",
                "address": "茨城県笠間市石井2068-1",
                "latitude": Decimal("36.372000"),
                "longitude": Decimal("140.255000"),
            },
            {
                "title": "笠間市民駅伝大会（デモ）",
                "lead": "地区や職場のチームでたすきをつなぎます。",
                "place_name": "笠間市総合公園",
                "organiser": "笠間市スポーツ協会（デモ）",
                "contact_name": "スポーツ振興担当",
            },
            {
                "title": "Kasama citizens' relay race (demo)",
                "lead": "Teams from districts and workplaces pass the sash.",
                "fee": "¥3,000 per team",
                "registration": "Hand the form in at the gym",
                "place_name": "Kasama City General Park",
                "organiser": "Kasama Sports Association (demo)",
                "contact_name": "Sports promotion",
            },
        ),
    )
    children = []
    for slug, common, ja, en in specs:
        common = {"contact_phone": "0296-77-1101", **common}
        children.append(
            PageSpec(
                EventPage,
                slug,
                {**ja, "body": f"<p>{ja['lead']}</p>" + DEMO_JA},
                {**en, "body": f"<p>{en['lead']}</p>" + DEMO_EN},
                common=common,
                department="shoko",
            )
        )
    return PageSpec(
        EventIndexPage,
        "events",
        {"title": "イベント", "lead": "市内で開かれるイベントです。"},
        {"title": "Events", "lead": "Events in the city."},
        in_menu=True,
        department="shoko",
        children=tuple(children),
    )


def page_tree(today: dt.date) -> tuple[PageSpec, ...]:
    """The pages below Kasama's home page, in menu order."""
    return (
        _kurashi(),
        _kenko(),
        _kosodate(),
        _kanko(),
        _sangyo(),
        _bosai(),
        _shisei(),
        _news(today),
        _events(today),
    )


#: The home page's quick links: (path of slugs below home, ja title, en title).
QUICK_LINKS = (
    (("kurashi", "jumin-hyo"), "住民票の写し", "Residence record"),
    (("kosodate", "jido-teate"), "児童手当", "Child allowance"),
    (("kenko", "kyujitsu-toban"), "休日当番医", "Holiday doctors"),
    (("bosai", "bosai-joho"), "防災情報", "Disaster information"),
    (("kurashi", "gomi"), "ごみの出し方", "Rubbish"),
    (("shisei", "open-data"), "オープンデータ", "Open data"),
)
HOME_BODY_JA = (
    "<p>笠間市は、笠間焼と笠間稲荷神社で知られる、茨城県のまちです。"
    "このサイトは madoguchi のデモで、掲載内容の多くは想定のものです。</p>"
)
HOME_BODY_EN = (
    "<p>Kasama, in Ibaraki Prefecture, is known for Kasama ware and Kasama Inari Shrine. "
    "This site is a madoguchi demo; much of its content is assumed.</p>"
)


# --- Loading ---------------------------------------------------------------------------------


class _Builder:
    """Creates the missing pages of one municipality's tree, in both languages."""

    def __init__(self, loader: DemoLoader, municipality: Municipality) -> None:
        self.loader = loader
        self.municipality = municipality
        self.en = Locale.objects.get(language_code="en")
        with municipality_scope(municipality):
            self.departments = {d.code: d for d in Department.objects.all()}
            from madoguchi.procedures.models import Procedure

            self.procedures = {p.slug: p for p in Procedure.objects.all()}
        self.skipped: list[str] = []

    def ensure(self, parent: Page, spec: PageSpec) -> Page | None:
        """The page below `parent` (created and published when missing), its English
        translation, then its children."""
        found = parent.get_children().filter(slug=spec.slug).first()
        if found is not None:
            page = found.specific
            self.loader._count("page", "unchanged")
        else:
            fields: dict[str, Any] = {**spec.common, **spec.ja}
            if spec.procedure:
                procedure = self.procedures.get(spec.procedure)
                if procedure is None and spec.model is ProcedureLinkPage:
                    # The page only exists to lead to the procedure.
                    self.skipped.append(spec.slug)
                    return None
                fields["procedure"] = procedure
            page = spec.model(
                slug=spec.slug,
                locale=parent.locale,
                show_in_menus=spec.in_menu,
                department=self.departments.get(spec.department),
                **fields,
            )
            parent.add_child(instance=page)
            page.save_revision().publish()
            self.loader._count("page", "created")
        self.translate(page, spec)
        for child in spec.children:
            self.ensure(page, child)
        return page

    def translate(self, page: Page, spec: PageSpec) -> None:
        if page.get_translations().filter(locale=self.en).exists():
            self.loader._count("page_translation", "unchanged")
            return
        translated = page.copy_for_translation(self.en)
        for name, value in spec.en.items():
            setattr(translated, name, value)
        translated.save_revision().publish()
        self.loader._count("page_translation", "created")

    def home(self, home: MunicipalityHomePage, root: dict[str, Page]) -> None:
        """Fill in the home page's lead, body and quick links in both languages when empty."""
        links = []
        for path, title_ja, title_en in QUICK_LINKS:
            page = root.get(path[0])
            for slug in path[1:]:
                page = page.get_children().filter(slug=slug).first() if page is not None else None
            if page is not None:
                links.append((page.pk, title_ja, title_en))
        for language, page in (("ja", home), ("en", home.get_translations().filter(locale=self.en).first())):
            if page is None:
                continue
            page = page.specific
            changed = False
            if not page.quick_links.raw_data and links:
                index = 1 if language == "ja" else 2
                page.quick_links = json.dumps(
                    [
                        {"type": "link", "value": {"page": link[0], "url": "", "title": link[index], "description": ""}}
                        for link in links
                    ]
                )
                changed = True
            if not page.body:
                page.body = HOME_BODY_JA if language == "ja" else HOME_BODY_EN
                changed = True
            if changed:
                page.save_revision().publish()
                self.loader._count("home_page", "updated")
            else:
                self.loader._count("home_page", "unchanged")


# The clinics of the demo's rota: invented (as their names say), no real practice.
ROTA_CLINICS = (
    (DutyKind.INTERNAL, "かさま中央内科クリニック（デモ）", "茨城県笠間市中央二丁目", "0296-00-1001"),
    (DutyKind.PAEDIATRICS, "ともべこどもクリニック（デモ）", "茨城県笠間市友部駅前", "0296-00-1002"),
    (DutyKind.SURGERY, "いなり門前外科医院（デモ）", "茨城県笠間市笠間", "0296-00-1003"),
    (DutyKind.INTERNAL_PAEDIATRICS, "笠間ひがし病院（デモ）", "茨城県笠間市平町", "0296-00-1005"),
    (DutyKind.DENTAL, "いわま歯科医院（デモ）", "茨城県笠間市下郷", "0299-00-1004"),
    (DutyKind.INTERNAL, "岩間みなみ内科（デモ）", "茨城県笠間市下郷", "0299-00-1006"),
)


def duty_days(today: dt.date, weeks: int = 8) -> list[dt.date]:
    """Sundays and public holidays from today for `weeks` weeks."""
    from madoguchi.japanese.holidays import is_holiday

    days = [today + dt.timedelta(days=n) for n in range(weeks * 7)]
    return [d for d in days if d.weekday() == 6 or is_holiday(d)]


def _rota(loader: DemoLoader, municipality: Municipality, today: dt.date) -> int:
    """Two clinics on duty each Sunday and holiday of the next eight weeks (and a dentist
    every other one); which clinic is on duty follows the date, so a second run finds them."""
    created = 0
    with municipality_scope(municipality):
        for day in duty_days(today):
            n = day.toordinal()
            medical = [c for c in ROTA_CLINICS if c[0] != DutyKind.DENTAL]
            chosen = [medical[n % len(medical)], medical[(n + 2) % len(medical)]]
            if n % 2 == 0:
                chosen.append(ROTA_CLINICS[4])
            for kind, name, address, phone in chosen:
                _duty, made = HolidayDoctorDuty.objects.get_or_create(
                    municipality=municipality,
                    date=day,
                    kind=kind,
                    institution=name,
                    defaults={
                        "address": address,
                        "phone": phone,
                        "opens_at": dt.time(9),
                        "closes_at": dt.time(17),
                        "note": "受付は16:30まで（デモ）",
                    },
                )
                created += made
                loader._count("holiday_duty", "created" if made else "unchanged")
    return created


def _open_data(loader: DemoLoader, municipality: Municipality) -> str:
    """Import the standard-layout files through the open data import (the same path as an
    upload in the console); a file already imported (same SHA-256) is not imported again."""
    try:
        from madoguchi.portal.opendata.services import import_file
    except ImportError:
        return "オープンデータ / open data: 取込機能がまだありません / import not available, skipped"
    from django.core.files.base import ContentFile

    from madoguchi.accounts.models import User

    staff = User.objects.filter(email__iexact=STAFF_EMAIL).first()
    done: list[str] = []
    with municipality_scope(municipality):
        for key, name in OPEN_DATA_FILES:
            content = (DATA_DIR / name).read_bytes()
            digest = hashlib.sha256(content).hexdigest()
            known = OpenDataImport.objects.filter(dataset=key, sha256=digest, status=OpenDataImportStatus.IMPORTED)
            if known.exists():
                loader._count("open_data_import", "unchanged")
                continue
            result = import_file(municipality, key, ContentFile(content, name=name), user=staff)
            if result.status != OpenDataImportStatus.IMPORTED:
                from madoguchi.core.demo.loader import DemoDataError

                raise DemoDataError(f"{name}: {result.errors[:3]}")
            loader._count("open_data_import", "created")
            done.append(f"{key} {result.row_count}")
    return "オープンデータ / open data: " + (
        ", ".join(done) + " 取込 / imported" if done else "取込済み / already there"
    )


def load(loader: DemoLoader, *, today: dt.date | None = None) -> None:
    """Kasama's website: pages in Japanese and English, the rota and the open data."""
    from .services import home_page_for

    municipality = loader.municipalities.get(KASAMA_CODE)
    if municipality is None:
        return
    home = home_page_for(municipality, "ja")
    if home is None:
        from .services import create_home_page

        home = create_home_page(municipality)
    today = today or timezone.localdate()
    before = dict(loader.report.created)
    builder = _Builder(loader, municipality)
    root: dict[str, Page] = {}
    # Publishing reads the page's revision back, and with it the department (a tenant row).
    with municipality_scope(municipality):
        for spec in page_tree(today):
            page = builder.ensure(home, spec)
            if page is not None:
                root[spec.slug] = page
        builder.home(home, root)
    _rota(loader, municipality, today)
    open_data_line = _open_data(loader, municipality)
    # Each department approves its sections' pages: the sections were just given their
    # departments (and departments may be older than the portal's signal receivers).
    from .services import workflows

    with municipality_scope(municipality):
        workflows.sync_department_workflows(municipality)

    def created(kind: str) -> int:
        return loader.report.created[kind] - before.get(kind, 0)

    loader.out(
        f"ホームページ / website: {created('page')} ページ作成 / pages created, "
        f"{created('page_translation')} 英語版 / English translations"
        + (
            f"; 手続がないため省略 / skipped without their procedure: {', '.join(builder.skipped)}"
            if builder.skipped
            else ""
        )
    )
    loader.out(f"休日当番医 / holiday duties: {created('holiday_duty')} 作成 / created")
    loader.out(open_data_line)


__all__ = ["OPEN_DATA_FILES", "PageSpec", "duty_days", "load", "page_tree"]
