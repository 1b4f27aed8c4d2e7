"""WeChat official account (公众号) in the demo: each article's msgid, and the datacube's daily article summary.

No random draws: the msgid follows from the article's content id, and the datacube reports the same reads,
shares and favorites as the CMS export of the same article and day (getarticlesummary covers articles only;
livestreams stay in the CMS export alone), so adding it changes no published number.
"""

from __future__ import annotations

from collections.abc import Iterator

MSG_DATA_ID_BASE = 2_247_480_000  # msg_data_id of the demo account's pushes


def wechat_msgid(content_id: str) -> str:
    """`<msg_data_id>_<index>`: one push per article, the article first in it (wx_00012 → 2247480012_1)."""
    return f"{MSG_DATA_ID_BASE + int(content_id.split('_', 1)[1])}_1"


def platform_item_id(item) -> str | None:
    """The CMS export's `platform_item_id` of an item: the msgid of a WeChat article, else none."""
    return (
        wechat_msgid(item.content_id)
        if item.channel == "wechat_oa" and item.content_type == "article"
        else None
    )


def article_summary(w) -> Iterator:
    """/datacube/getarticlesummary answers, one per day: {"list": [...]} of that day's article stats."""
    articles = {it.content_id: it for it in w.items if platform_item_id(it)}
    by_day: list[list] = [[] for _ in range(w.cal.days)]
    for r in (
        w.content_stats
    ):  # (day, content_id, channel, views, completion, watch, likes, comments, shares, favs, ...)
        if r[1] in articles and 0 <= r[0] < w.cal.days:
            by_day[r[0]].append(r)
    for d, date in enumerate(w.cal.date_strs):
        rows = []
        for r in by_day[d]:
            views, shares, favorites = int(r[3]), int(r[8]), int(r[9])
            rows.append(
                {
                    "ref_date": date,
                    "msgid": wechat_msgid(r[1]),
                    "title": articles[r[1]].title,
                    "int_page_read_user": views - views // 5,  # some readers read twice
                    "int_page_read_count": views,
                    "ori_page_read_user": 0,
                    "ori_page_read_count": 0,
                    "share_user": shares - shares // 4,
                    "share_count": shares,
                    "add_to_fav_user": favorites,
                    "add_to_fav_count": favorites,
                }
            )
        yield d, f"demo_wechat_article_summary_{date}.json", "json_list", {"list": rows}
