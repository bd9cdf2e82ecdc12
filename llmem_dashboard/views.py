"""The page's sections: display only (no widgets, no computing). Each takes Results."""

from __future__ import annotations

import contextlib
import html
import logging
import re
from collections.abc import Iterator

import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from llmem_core.cost import BreakEven, BreakEvenStatus, CostRow, Skipped, SkipReason
from llmem_core.results import Estimate
from llmem_core.verdict import Verdict
from llmem_dashboard import summary, tables
from llmem_dashboard.charts import plotly_config
from llmem_dashboard.compute import COST_MAX_GPUS, FieldError, Results
from llmem_dashboard.cost import CostResults
from llmem_dashboard.i18n import (
    fmt_break_even,
    fmt_break_even_range,
    fmt_count,
    fmt_gib,
    fmt_hours,
    fmt_int,
    fmt_money,
    fmt_money_range,
    fmt_params,
    fmt_pct,
    method_label,
    method_short,
    t,
)
from llmem_dashboard.i18n_core import core_text
from llmem_dashboard.safe import html as html_text
from llmem_dashboard.safe import md, say
from llmem_dashboard.state import LinkProblem

BASE_CSS = """
<style>
.block-container {padding-top: 2.2rem; max-width: 1400px;}
[data-testid="stMetricValue"] {font-size: 1.7rem;}
[data-testid="stMetricLabel"] .stMarkdownEllipsis, [data-testid="stMetricLabel"] p,
[data-testid="stMetricDelta"] .stMarkdownEllipsis, [data-testid="stMetricDelta"] p
  {white-space: normal; overflow: visible; text-overflow: clip;}
h1 {font-size: 1.9rem !important;}
.llmem-verdict {border-left: 8px solid; border-radius: 6px; padding: 0.8rem 1.2rem;
  margin-bottom: 0.8rem;}
.llmem-verdict p {margin: 0.2rem 0; font-size: 1.05rem;}
.llmem-word {font-size: 1.9rem; font-weight: 700; margin-bottom: 0.2rem;}
.llmem-green {border-color: #2E7D32; background: #EEF7EF;}
.llmem-green .llmem-word {color: #2E7D32;}
.llmem-orange {border-color: #E65100; background: #FFF4E5;}
.llmem-orange .llmem-word {color: #E65100;}
.llmem-red {border-color: #C62828; background: #FDECEC;}
.llmem-red .llmem-word {color: #C62828;}
</style>
"""
PRESENT_CSS = """
<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
header[data-testid="stHeader"] {display: none;}
.block-container {padding-top: 1.2rem; max-width: 1600px;}
[data-testid="stMetricValue"] {font-size: 2.3rem;}
.llmem-verdict p {font-size: 1.3rem;} .llmem-word {font-size: 2.6rem;}
</style>
"""


def page_style(present: bool) -> None:
    st.markdown(BASE_CSS + (PRESENT_CSS if present else ""), unsafe_allow_html=True)


def header(lang: str, present: bool) -> None:
    st.title(t(lang, "title"))
    if not present:
        st.caption(t(lang, "subtitle"))


def link_problems(problems: list[LinkProblem], lang: str) -> None:
    if not problems:
        return
    lines = [
        f"- {say(lang, p.reason, param=p.param, value=p.value, detail=core_text(p.detail, lang))}"
        for p in problems
    ]
    st.warning(t(lang, "link_problems") + "\n" + "\n".join(lines), icon="🔗")


def field_error(slots: dict[str, DeltaGenerator], err: FieldError, lang: str) -> None:
    """The message next to the input that caused it, and a pointer on the page."""
    slot = slots.get(err.field or "model") or slots["model"]
    slot.error(md(core_text(err.message, lang)), icon="⚠️")  # the core's words, translated
    st.error(t(lang, "input_error"), icon="⚠️")


# ---- headline --------------------------------------------------------------------------------


def _subject(res: Results) -> dict[str, str]:
    """The headline's values, HTML-safe (the model's name may be an upload's)."""
    lang, req = res.inputs.lang, res.request
    gpu = res.gpu_name or fmt_gib(req.cluster.memory_bytes, lang, 0)
    return {
        "model": html_text(req.model.name),
        "n": fmt_int(req.cluster.num_gpus, lang),
        "gpu": html_text(gpu),
        "method": method_label(res.focus.method, req.cluster.num_gpus, lang),
        "batch": fmt_int(req.training.batch_size, lang),
    }


def plan_summary(res: Results) -> None:
    """The plan in one line (summary.plan_line), as text: model with its real name and the
    vocabulary what-if, GPUs, method, batch, sequence, precision, checkpointing, verdict."""
    st.markdown(f"#### {md(summary.plan_line(res))}")


VERDICT_COLORS = {Verdict.FITS: "green", Verdict.AT_RISK: "orange", Verdict.OOM: "red"}


def _verdict(res: Results) -> tuple[str, str]:
    """(badge colour, verdict key): the core's three-valued verdict."""
    verdict = res.focus.estimate.verdict
    return VERDICT_COLORS[verdict], f"verdict_{verdict.value}"


def _why(res: Results) -> str:
    """The verdict's reason in plain words: the range against the capacity."""
    lang, est = res.inputs.lang, res.focus.estimate
    return t(lang, f"verdict_why_{est.verdict.value}", **summary.range_words(est, lang))


def _headroom_share(est: Estimate) -> float:
    """Headroom as a share of the GPU's memory (a display ratio of two core figures)."""
    return est.headroom_bytes / est.capacity_bytes


def _sentence(res: Results) -> str:
    lang, est = res.inputs.lang, res.focus.estimate
    peak, cap = fmt_gib(est.peak_bytes, lang), fmt_gib(est.capacity_bytes, lang)
    words = {**_subject(res), "peak": peak, "cap": cap}
    headroom, share = fmt_gib(est.headroom_bytes, lang), fmt_pct(_headroom_share(est), lang)
    if est.fits:
        return t(lang, "sentence_fits", **words, headroom=f"{headroom} ({share})")
    if est.headroom_bytes >= 0:  # at risk: the peak fits, the range's top does not
        high = fmt_gib(est.range_bytes[1], lang)
        return t(lang, "sentence_at_risk", **words, headroom=f"{headroom}, {share}", high=high)
    return t(lang, "sentence_oom", **words, over=fmt_gib(-est.headroom_bytes, lang))


def _plan_sentence(res: Results) -> str:
    lang, best = res.inputs.lang, res.plan.chosen
    if best is None:
        return t(lang, "sentence_offload")
    return t(
        lang,
        "sentence_plan",
        method=method_label(best.method, res.request.cluster.num_gpus, lang),
        batch=fmt_int(best.max_batch_size, lang),
        samples=fmt_int(best.samples_per_step, lang),
    )


def _html(sentence: str) -> str:
    """A trusted sentence (its values already HTML-safe) as HTML: its **bold** parts bold, on
    one line, so the headline stays one HTML block that Markdown never reads."""
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", " ".join(sentence.split()))


def _cost_sentence(cres: CostResults | FieldError, lang: str) -> str:
    """ "About 3.7 h and $39 – $180 per run on demand ($22 at the cheapest interruptible or
    marketplace listing); buying … pays off after 851–4,014 runs … against on-demand rent,
    and after 7,601 runs … against the cheapest interruptible …"."""
    if not isinstance(cres, CostResults):
        return ""
    row = cres.mine.row
    if row is None:
        return _no_cost_sentence(cres, lang)
    code, c = cres.ranking.currency.code, row.cost
    interrupts = _interrupts(row, cres, lang)
    floor = (
        t(
            lang,
            "sentence_floor",
            floor=fmt_money(c.interruptible_expected, code, lang, True),
            interrupts=interrupts,
        )
        if c.interruptible_expected is not None
        else t(lang, "sentence_no_floor")
    )
    text = t(
        lang,
        "sentence_cost",
        hours=fmt_hours(row.hours, lang),
        on_demand=fmt_money_range(c.on_demand_low, c.on_demand_high, code, lang, True),
        floor=floor,
    )
    return text + _buy_sentence(row, code, lang, interrupts)


def _interrupts(row: CostRow, cres: CostResults, lang: str) -> str:
    return tables.interruptions_clause(
        row.cost.interruption_factor, cres.inputs.count_interruptions, lang
    )


def _buy_sentence(row: CostRow, code: str, lang: str, interrupts: str) -> str:
    """What buying the plan's hardware costs and when it pays off: a range against on-demand
    rent (its dearest, then its cheapest listing), and apart from it against the cheapest
    interruptible or marketplace listing, each named."""
    total = row.cost.purchase_total
    if total is None:
        return t(lang, "sentence_be_none")
    soonest, floor = row.break_even_vs_on_demand_high, row.break_even_vs_interruptible
    if soonest.status == BreakEvenStatus.NO_PRICE and floor.status == BreakEvenStatus.OK:
        return t(
            lang,
            "sentence_buy_no_on_demand",
            floor=_one_break_even(floor, lang),
            interrupts=interrupts,
        )
    if soonest.status != BreakEvenStatus.OK:
        return t(lang, "sentence_be_never")
    return t(
        lang,
        "sentence_buy",
        n=fmt_int(row.num_gpus, lang),
        nodes=fmt_int(row.cost.nodes, lang),
        total=fmt_money(total, code, lang, True),
        range=break_even_range(soonest, row.break_even_vs_on_demand_low, lang),
        floor=_floor_clause(floor, lang, interrupts),
    )


def _floor_clause(floor: BreakEven, lang: str, interrupts: str) -> str:
    """ ", and after 7,601 runs (76 months) against the cheapest interruptible …", or "" when
    the catalog has no such listing."""
    if floor.status == BreakEvenStatus.OK:
        return t(
            lang, "sentence_buy_floor", floor=_one_break_even(floor, lang), interrupts=interrupts
        )
    if floor.status == BreakEvenStatus.NEVER:
        return t(lang, "sentence_buy_floor_never")
    return ""


def _one_break_even(b: BreakEven, lang: str) -> str:
    return t(lang, "be_one", runs=fmt_count(b.runs or 0.0), months=fmt_count(b.months or 0.0))


def break_even_range(soonest: BreakEven, latest: BreakEven, lang: str) -> str:
    """ "851–4,014 runs (8.5–40 months)": after the first figure buying beats the dearest
    listing of the range, after the second the cheapest (the core's break-evens, worded)."""
    return fmt_break_even_range(soonest, latest, 0.0, lang, short=False)


def _no_cost_sentence(cres: CostResults, lang: str) -> str:
    """Why the headline has no time and money, pointing below only when there is a table."""
    if cres.mine.reason == "cost_mine_oom" and not cres.rows:
        return t(lang, "cost_mine_oom_none")
    return t(lang, cres.mine.reason)


def headline(res: Results, cres: CostResults | FieldError) -> None:
    """The verdict in one glance: a coloured card, one sentence, the recommendation, the time
    and money of one run."""
    lang = res.inputs.lang
    color, key = _verdict(res)
    mark = {"green": "✓", "orange": "!", "red": "✕"}[color]
    cost_line = _cost_sentence(cres, lang)
    st.markdown(
        f'<div class="llmem-verdict llmem-{color}" data-testid="llmem-verdict">'
        f'<div class="llmem-word">{mark} {html.escape(t(lang, key))}</div>'
        f"<p>{html.escape(_why(res))}</p>"
        f"<p>{_html(_sentence(res))}</p><p>{_html(_plan_sentence(res))}</p>"
        + (f"<p>{_html(cost_line)}</p>" if cost_line else "")
        + "</div>",
        unsafe_allow_html=True,
    )
    _metrics(res, cres)


def _metrics(res: Results, cres: CostResults | FieldError) -> None:
    lang, est = res.inputs.lang, res.focus.estimate
    cap = fmt_gib(est.capacity_bytes, lang)
    sub = (
        t(
            lang,
            "m_peak_of",
            cap=cap,
            low=fmt_gib(est.band.low, lang),
            high=fmt_gib(est.band.high, lang),
        )
        if est.band
        else t(lang, "m_peak_of_unmeasured", cap=cap)
    )
    cols = st.columns(4)
    cols[0].metric(
        t(lang, "m_peak"),
        fmt_gib(est.peak_bytes, lang),
        sub,
        delta_color="gray",
        delta_arrow="off",
        border=True,
    )
    head_color = VERDICT_COLORS[est.verdict]
    cols[1].metric(
        t(lang, "m_headroom"),
        fmt_gib(est.headroom_bytes, lang),
        fmt_pct(_headroom_share(est), lang),
        delta_color=head_color,
        delta_arrow="off",
        border=True,
    )
    _recommended(cols[2], res)
    _needed(cols[3], res)
    if isinstance(cres, CostResults) and cres.mine.row is not None:
        _money_metrics(res, cres)


def _recommended(col: DeltaGenerator, res: Results) -> None:
    lang, best = res.inputs.lang, res.plan.chosen
    if best is None:
        col.metric(t(lang, "m_recommended"), t(lang, "offload"), border=True)
        return
    name, aka = method_short(best.method, res.request.cluster.num_gpus, lang)
    col.metric(
        t(lang, "m_recommended"),
        name,
        t(lang, "m_recommended_sub", batch=fmt_int(best.max_batch_size, lang)),
        help=aka or None,
        delta_color="gray",
        delta_arrow="off",
        border=True,
    )


def _needed(col: DeltaGenerator, res: Results) -> None:
    lang = res.inputs.lang
    value = (
        fmt_int(res.gpus_needed, lang)
        if res.gpus_needed
        else t(lang, "m_more_than", n=COST_MAX_GPUS)
    )
    col.metric(
        t(lang, "m_gpus_needed"),
        value,
        t(lang, "m_gpus_needed_sub", batch=fmt_int(res.inputs.batch_size, lang)),
        delta_color="gray",
        delta_arrow="off",
        border=True,
    )


def _data_text(cres: CostResults, seq: int, lang: str) -> str:
    c = cres.inputs
    return t(
        lang,
        "data_amount",
        n=fmt_params(c.data, lang),
        unit=t(lang, f"unit_{c.unit}", seq=fmt_int(seq, lang)),
    )


MONEY_CARDS_A_ROW = 3  # measured with the e2e check at 1280×720, English and Japanese


def _money_metrics(res: Results, cres: CostResults) -> None:
    """Time and money of one run of the user's plan: time, cloud, owned, break-even."""
    lang, row = res.inputs.lang, cres.mine.row
    code, years = row.prices.currency, cres.inputs.years
    gray = {"delta_color": "gray", "delta_arrow": "off", "border": True}
    cols = _money_columns()
    cols[0].metric(
        t(lang, "m_time"),
        fmt_hours(row.hours, lang),
        t(
            lang,
            "m_time_sub",
            data=_data_text(cres, res.inputs.seq_len, lang),
            epochs=f"{cres.inputs.epochs:g}",
            rate=fmt_int(round(row.time.tokens_per_second), lang),
        ),
        **gray,
    )
    cols[1].metric(
        t(lang, "m_cost_run"),
        fmt_money_range(row.cost.on_demand_low, row.cost.on_demand_high, code, lang, True),
        _rent_sub(row, code, lang),
        **gray,
    )
    cols[2].metric(
        t(lang, "m_purchase"),
        fmt_money(row.cost.purchase_total, code, lang, True),
        t(
            lang,
            "m_purchase_sub",
            n=fmt_int(row.num_gpus, lang),
            nodes=fmt_int(row.cost.nodes, lang),
            node=fmt_money(cres.node_cost, code, lang, True),
        ),
        help=t(lang, "m_purchase_help"),
        **gray,
    )
    cols[3].metric(
        t(lang, "m_owned_run"),
        fmt_money(row.cost.owned_total, code, lang, True),
        t(lang, "m_owned_sub", years=f"{years:g}"),
        **gray,
    )
    _break_even_metric(cols[4], row, years, lang)


def _money_columns() -> list[DeltaGenerator]:
    """Five cards in rows of three: at 1280×720 five in a row left 119 px a card, too narrow
    for a range ("65〜235ドル" needs 149 px, a yen range more), so values were cut to "…"."""
    return [*st.columns(MONEY_CARDS_A_ROW), *st.columns(MONEY_CARDS_A_ROW)][:5]


def _rent_sub(row: CostRow, code: str, lang: str) -> str:
    """Under the on-demand cost: the cheapest interruptible or marketplace listing apart."""
    floor = row.cost.interruptible_expected
    if floor is None:
        return t(lang, "m_cost_sub_nofloor")
    return t(lang, "m_cost_sub", floor=fmt_money(floor, code, lang, True))


def _break_even_metric(col: DeltaGenerator, row: CostRow, years: float, lang: str) -> None:
    """Against on-demand rent: the months as the value (what fits the card), the runs under
    it; the figure against the cheapest interruptible listing is the headline's and table's."""
    high, low = row.break_even_vs_on_demand_high, row.break_even_vs_on_demand_low
    if high.status != BreakEvenStatus.OK or high.runs is None or high.months is None:
        col.metric(
            t(lang, "m_break_even"),
            fmt_break_even(high.status.value, None, None, None, years, lang),
            help=t(lang, "m_break_even_help"),
            border=True,
        )
        return
    if low.status == BreakEvenStatus.OK and low.runs is not None and low.months is not None:
        months = t(lang, "m_be_months", months=_span(high.months, low.months, lang))
        runs = _span(high.runs, low.runs, lang)
    else:
        months = t(lang, "m_be_months_never", months=fmt_count(high.months))
        runs = fmt_count(high.runs)
    col.metric(
        t(lang, "m_break_even"),
        months,
        t(lang, "m_break_even_sub", runs=runs),
        help=t(lang, "m_break_even_help"),
        delta_color="gray",
        delta_arrow="off",
        border=True,
    )


def _span(first: float, second: float, lang: str) -> str:
    """ "7.6–36" ("7.6〜36" in Japanese), or one figure when both read the same."""
    a, b = fmt_count(first), fmt_count(second)
    return a if a == b else f"{a}{'〜' if lang == 'ja' else '–'}{b}"


# ---- sections --------------------------------------------------------------------------------


def chart(fig: go.Figure, key: str, filename: str) -> None:
    st.plotly_chart(fig, key=key, config=plotly_config(filename), theme=None)


def memory(res: Results, fig: go.Figure, stem: str) -> None:
    lang = res.inputs.lang
    st.subheader(t(lang, "sec_memory"))
    st.caption(t(lang, "sec_memory_help"))
    chart(fig, "chart_memory", f"{stem}-memory")
    host = res.focus.estimate.host_bytes
    if host:
        st.caption(say(lang, "host_memory", host=fmt_gib(host, lang)))
    for row in res.methods:
        if row.error:  # a method that cannot run this job, and the core's reason
            n = res.request.cluster.num_gpus
            reason = core_text(row.error, lang)
            st.caption(f"{md(method_label(row.method, n, lang))}: {md(reason)}")


def whatif(res: Results, batch_fig: go.Figure, vocab_fig: go.Figure, stem: str) -> None:
    st.subheader(t(res.inputs.lang, "sec_whatif"))
    left, right = st.columns(2)
    with left:
        chart(batch_fig, "chart_batch", f"{stem}-batch")
    with right:
        chart(vocab_fig, "chart_vocab", f"{stem}-vocab")


def plan(res: Results) -> None:
    lang = res.inputs.lang
    st.subheader(t(lang, "sec_plan"))
    st.dataframe(tables.plan_table(res), hide_index=True, key="table_plan")
    best = res.plan.chosen
    if best is None:
        st.caption(t(lang, "sentence_offload"))
        return
    n = res.request.cluster.num_gpus
    st.caption(
        say(
            lang,
            "reason",
            method=method_label(best.method, n, lang),
            score=f"{best.score:,g}",
            batch=fmt_int(best.max_batch_size, lang),
            samples=fmt_int(best.samples_per_step, lang),
        )
    )


def cost_header(res: Results, cres: CostResults | FieldError) -> None:
    lang = res.inputs.lang
    st.subheader(t(lang, "sec_cost"))
    inputs = cres.inputs if isinstance(cres, CostResults) else res.inputs.cost
    basis = inputs.cost_basis.value
    st.caption(
        t(
            lang,
            "cost_help",
            batch=fmt_int(res.inputs.batch_size, lang),
            basis=t(lang, f"basis_{basis}"),
        )
    )


def cost_error(slots: dict[str, DeltaGenerator], err: FieldError, lang: str) -> None:
    """A cost input the core rejected: the message next to it (or above the table), in the
    page's language."""
    slot = slots.get(err.field) if err.field else None
    (slot or st).error(md(core_text(err.message, lang)), icon="⚠️")


def price_table(box: DeltaGenerator, cres: CostResults | FieldError, lang: str) -> None:
    if isinstance(cres, CostResults):
        box.dataframe(tables.price_table(cres.prices, lang), hide_index=True, key="table_prices")


def cost(res: Results, cres: CostResults | FieldError, fig: go.Figure | None, stem: str) -> None:
    """The comparison table (cheapest first), what is left out and why, the chart."""
    if not isinstance(cres, CostResults):
        return
    lang = res.inputs.lang
    if cres.ranking.filtered_out:
        st.caption(t(lang, "cost_filtered", n=fmt_int(cres.ranking.filtered_out, lang)))
    if not cres.rows:
        st.warning(_empty_ranking(res, cres), icon="ℹ️")
    else:
        mine = (cres.user_gpu, cres.user_gpus)
        pinned = (cres.mine_row,) if cres.mine_row else ()
        table = tables.cost_table((*pinned, *cres.rows), lang, mine, cres.inputs.years)
        st.dataframe(
            table,
            hide_index=True,
            key="table_cost",
            height=min(36 * (len(table) + 1) + 3, 640),
            column_config={
                t(lang, "ct_note"): st.column_config.TextColumn(
                    width="small" if lang == "en" else "medium"
                )
            },
        )
    _cost_notes(cres, lang)
    rows = (*cres.rows, *((cres.mine_row,) if cres.mine_row else ()))
    if any(
        r[f"pays_off_within_amortisation_{s}"] is False
        for r in rows
        for s in ("vs_on_demand_low", "vs_on_demand_high", "vs_interruptible")
    ):
        st.caption(t(lang, "be_past_life", years=f"{cres.inputs.years:g}"))
    if fig is not None and cres.points:
        chart(fig, "chart_cost", f"{stem}-cost")


def _empty_ranking(res: Results, cres: CostResults) -> str:
    """Why the table is empty, in a sentence with what to try: the filters hid every plan, or
    no compared GPU type fits the job at any count."""
    lang = res.inputs.lang
    if cres.ranking.filtered_out:
        return t(lang, "cost_none")
    return t(
        lang,
        "cost_nofit",
        batch=fmt_int(res.inputs.batch_size, lang),
        seq=fmt_int(res.inputs.seq_len, lang),
        max=fmt_int(cres.max_gpus, lang),
    )


def _cost_notes(cres: CostResults, lang: str) -> None:
    names = {p.gpu_key: tables.short_gpu_name(p.gpu_name) for p in cres.catalog}
    items = [
        f"{md(names.get(s.gpu_key, s.gpu_key))} ({_skip_reason(s, lang)})"
        for s in cres.ranking.skipped
    ]
    if items:
        st.caption(t(lang, "cost_skipped", items="; ".join(items)))
    if cres.mine_row is not None:
        st.caption(
            say(
                lang,
                "cost_mine_missing",
                n=fmt_int(cres.user_gpus, lang),
                gpu=names.get(cres.user_gpu, cres.user_gpu),
            )
        )


SKIP_REASONS = {SkipReason.NO_FIT: "skip_nofit", SkipReason.NO_TFLOPS: "skip_noflops"}


def _skip_reason(skipped: Skipped, lang: str) -> str:
    """Why the core left a GPU type out, in the page's language (by its kind)."""
    return t(lang, SKIP_REASONS[skipped.kind], max=skipped.max_gpus, batch=skipped.batch_size)


def assumptions(res: Results) -> None:
    lang, est, req = res.inputs.lang, res.focus.estimate, res.request
    st.subheader(t(lang, "sec_assumptions"))
    profile = req.runtime.profile.value
    st.markdown(t(lang, "a_profile", profile=profile, desc=t(lang, f"profile_{profile}")))
    if est.band:
        errors = est.band.errors
        st.markdown(
            say(
                lang,
                "a_band",
                under=fmt_pct(errors.under, lang, 1),
                over=fmt_pct(errors.over, lang, 1),
                source=core_text(errors.source, lang),
            )
        )
    else:
        st.markdown(t(lang, "a_band_missing"))
    st.markdown(
        t(
            lang,
            "a_levels",
            allocated=fmt_gib(est.tensor_peak_bytes, lang),
            reserved=fmt_gib(est.reserved_bytes, lang),
            device=fmt_gib(est.device_bytes, lang),
            need=fmt_gib(est.need_bytes, lang),
        )
    )
    st.markdown(_runtime_terms(res))
    st.dataframe(tables.assumptions_table(est, lang), hide_index=True, key="table_terms")
    if est.notes:
        notes = "\n".join(f"- {md(core_text(n, lang))}" for n in est.notes)
        st.markdown(f"**{t(lang, 'a_notes')}**\n" + notes)
    st.markdown(
        f"**{t(lang, 'a_not_included')}**\n"
        + "\n".join(f"- {x}" for x in t(lang, "a_exclusions").split("|"))
    )


def _runtime_terms(res: Results) -> str:
    lang, rt = res.inputs.lang, res.request.runtime
    context = (
        fmt_gib(rt.cuda_context_bytes, lang, 2) if rt.cuda_context_bytes else t(lang, "a_default")
    )
    chunk = fmt_int(rt.chunk_size, lang) if rt.chunk_size else t(lang, "a_searched")
    slack = fmt_pct(rt.allocator_slack, lang, 1) if rt.allocator_slack else t(lang, "a_replayed")
    return t(lang, "a_runtime", context=context, slack=slack, chunk=chunk)


def downloads_header(lang: str) -> None:
    st.subheader(t(lang, "sec_downloads"))


LOG = logging.getLogger("llmem_dashboard")


@contextlib.contextmanager
def section(lang: str, key: str) -> Iterator[None]:
    """One section of the page: if it fails, a plain sentence in its place (the rest of the
    page stays), and the error goes to the server's log, not to the page."""
    try:
        yield
    except Exception:  # the last resort for one section; every known case has its sentence
        LOG.exception("section %s failed", key)
        st.warning(t(lang, "section_failed", section=t(lang, key)), icon="ℹ️")


def unexpected(err: Exception, lang: str) -> None:
    st.error(say(lang, "unexpected", kind=type(err).__name__, message=str(err)[:200]), icon="⚠️")
