"""Every string of the page in English and Japanese, and number formatting per language.

`t(lang, key, **values)` looks a string up and fills its `{placeholders}`; a key missing in
Japanese falls back to English (tests check there are none). Bytes are shown in GiB (2**30),
the unit drivers report; money in US dollars, as the catalog records it.
"""

from __future__ import annotations

from llmem_core.models import Method, MethodKind
from llmem_core.units import GiB

Lang = str  # "en" | "ja"

# Model families as their authors write them (proper names: the same in every language).
FAMILY_NAMES = {
    "opt": "OPT", "bloom": "BLOOM", "codegen": "CodeGen", "biogpt": "BioGPT",
    "gpt_bigcode": "GPT-BigCode", "gpt_neo": "GPT-Neo", "gpt2": "GPT-2", "llama": "Llama",
    "mistral": "Mistral", "mixtral": "Mixtral", "qwen2": "Qwen2", "gemma2": "Gemma 2",
    "phi3": "Phi-3",
}

STRINGS: dict[str, dict[str, str]] = {
    # page
    "title": {"en": "GPU memory planner for LLM fine-tuning",
              "ja": "LLMファインチューニングのGPUメモリ計画"},
    "subtitle": {"en": "Peak memory per GPU, the fastest way to spread the job, and what it costs "
                       "— estimated with LLMem (IJCAI 2024) before you rent or buy.",
                 "ja": "GPUあたりのピークメモリ、最速の分散方法、そのコストを、GPUを借りる・"
                       "買う前にLLMem（IJCAI 2024）で見積もります。"},
    "language": {"en": "Language", "ja": "言語"},
    "presentation": {"en": "Presentation view", "ja": "プレゼンテーション表示"},
    "exit_presentation": {"en": "Exit presentation view", "ja": "プレゼンテーション表示を終了"},
    # sidebar: the plan
    "plan_header": {"en": "The plan", "ja": "計画"},
    "model_source": {"en": "Model", "ja": "モデル"},
    "source_preset": {"en": "Preset", "ja": "プリセット"},
    "source_upload": {"en": "Upload config.json", "ja": "config.jsonをアップロード"},
    "model_preset": {"en": "Model preset (type to search)", "ja": "モデル（入力して検索）"},
    "model_upload": {"en": "Hugging Face config.json", "ja": "Hugging Faceのconfig.json"},
    "upload_hint": {"en": "Read as plain JSON; nothing is executed. An uploaded model is not "
                          "part of the share link.",
                    "ja": "JSONとして読むだけで、何も実行しません。アップロードしたモデルは"
                          "共有リンクに含まれません。"},
    "upload_waiting": {"en": "No file yet: showing the preset above.",
                       "ja": "ファイル未選択のため、上のプリセットを表示しています。"},
    "upload_ok": {"en": "Read {name}: {params} parameters",
                  "ja": "{name}を読み込みました：{params}"},
    "vocab_whatif": {"en": "Change the vocabulary (what-if)", "ja": "語彙サイズを変える（仮定）"},
    "vocab_size": {"en": "Vocabulary size", "ja": "語彙サイズ"},
    "vocab_model": {"en": "The model's own: {vocab}", "ja": "モデル本来の値：{vocab}"},
    "gpu_type": {"en": "GPU type", "ja": "GPUの種類"},
    "gpu_custom": {"en": "Custom memory…", "ja": "メモリ容量を指定…"},
    "gpu_gib": {"en": "Memory per GPU (GiB)", "ja": "GPUあたりのメモリ（GiB）"},
    "num_gpus": {"en": "Number of GPUs", "ja": "GPUの数"},
    "method": {"en": "Distribution method", "ja": "分散方法"},
    "method_all": {"en": "Compare all (Algorithm 1 picks)",
                   "ja": "すべて比較（アルゴリズム1が選択）"},
    "tp_degree": {"en": "Tensor-parallel degree of DP+TP", "ja": "DP+TPのテンソル並列度"},
    "tp_auto": {"en": "Auto ({tp})", "ja": "自動（{tp}）"},
    "batch": {"en": "Batch size per GPU (micro-batch)", "ja": "GPUあたりのバッチサイズ"},
    "seq": {"en": "Sequence length (tokens)", "ja": "系列長（トークン）"},
    "training_details": {"en": "Training details", "ja": "学習の詳細"},
    "precision": {"en": "Precision", "ja": "精度"},
    "optimizer": {"en": "Optimizer", "ja": "オプティマイザ"},
    "ckpt": {"en": "Gradient checkpointing", "ja": "勾配チェックポイント"},
    "profile": {"en": "Runtime profile", "ja": "ランタイムプロファイル"},
    "advanced": {"en": "Advanced: runtime terms", "ja": "詳細：ランタイム項"},
    "context_mib": {"en": "CUDA context per GPU, m_base (MiB; 0 = profile default)",
                    "ja": "GPUあたりのCUDAコンテキスト m_base（MiB、0=既定値）"},
    "slack_pct": {"en": "Allocator slack (% of tensor peak)",
                  "ja": "アロケータの断片化（テンソルピークの%）"},
    "chunk": {"en": "Gemini chunk size (elements; 0 = searched)",
              "ja": "Geminiチャンクサイズ（要素数、0=探索）"},
    "share_header": {"en": "Share and present", "ja": "共有と発表"},
    "link_hint": {"en": "The address bar holds every input: copy it to share this plan.",
                  "ja": "アドレスバーにすべての入力が入っています。"
                        "コピーしてこの計画を共有できます。"},
    # link problems
    "link_problems": {"en": "Some parts of the link could not be used; defaults are shown instead:",
                      "ja": "リンクの一部が使えなかったため、既定値を表示しています："},
    "link_unknown_param": {"en": "unknown parameter “{param}”",
                           "ja": "不明なパラメータ「{param}」"},
    "link_bad_value": {"en": "“{param}={value}” is not valid (allowed: {detail})",
                       "ja": "「{param}={value}」は無効です（有効な値：{detail}）"},
    "method_reset": {"en": "{method} does not run on {gpus} GPU(s); comparing all instead.",
                     "ja": "{method}は{gpus}台では使えないため、すべて比較に戻しました。"},
    "tp_reset": {"en": "TP degree {tp} does not divide {gpus} GPUs; using the default.",
                 "ja": "TP並列度{tp}は{gpus}台を割り切れないため、既定値を使います。"},
    "profile_missing": {"en": "Profile “{profile}” is planned but not in this version yet.",
                        "ja": "プロファイル「{profile}」は準備中で、この版にはまだありません。"},
    "unexpected": {"en": "Something went wrong while computing this plan ({kind}: {message}). "
                         "Change an input or reload the page.",
                   "ja": "この計画の計算中に問題が起きました（{kind}: {message}）。"
                         "入力を変えるか、ページを再読み込みしてください。"},
    "input_error": {"en": "The plan cannot be estimated: see the message next to the input in "
                          "the sidebar.",
                    "ja": "この計画は見積もれません。"
                          "サイドバーの入力の横のメッセージを見てください。"},
    # headline
    "verdict_fits": {"en": "Fits", "ja": "収まります"},
    "verdict_oom": {"en": "Out of memory", "ja": "メモリ不足"},
    "verdict_tight": {"en": "Fits, but within the error margin",
                      "ja": "収まりますが誤差の範囲内です"},
    "sentence_fits": {"en": "**{model}** fine-tuning fits on **{n} × {gpu}** with **{method}** at "
                            "batch {batch} per GPU: peak {peak} of {cap} per GPU, {headroom} "
                            "headroom.",
                      "ja": "**{model}** のファインチューニングは **{gpu} × {n}台** に **{method}**"
                            "・GPUあたりバッチ{batch}で収まります。GPUあたりのピークは{cap}中{peak}、"
                            "余裕は{headroom}です。"},
    "sentence_oom": {"en": "**{model}** fine-tuning does **not** fit on **{n} × {gpu}** with "
                           "**{method}** at batch {batch} per GPU: peak {peak} exceeds {cap} per "
                           "GPU by {over}.",
                     "ja": "**{model}** のファインチューニングは **{gpu} × {n}台** に **{method}**"
                           "・GPUあたりバッチ{batch}では**収まりません**。ピーク{peak}がGPUあたり"
                           "{cap}を{over}超えます。"},
    "sentence_plan": {"en": "Recommended: **{method}**, up to batch {batch} per GPU "
                            "({samples} samples per step).",
                      "ja": "推奨：**{method}**、GPUあたり最大バッチ{batch}"
                            "（1ステップ{samples}サンプル）。"},
    "sentence_offload": {"en": "No method fits even batch 1: offload optimizer states or "
                               "parameters to CPU, or use more or larger GPUs.",
                         "ja": "バッチ1でも収まる方法がありません。オプティマイザ状態やパラメータを"
                               "CPUにオフロードするか、GPUを増やす・大きくしてください。"},
    "m_verdict": {"en": "Verdict", "ja": "判定"},
    "m_peak": {"en": "Peak per GPU", "ja": "GPUあたりのピーク"},
    "m_peak_of": {"en": "of {cap} · ±{err}", "ja": "{cap}中 · ±{err}"},
    "m_peak_of_unmeasured": {"en": "of {cap} · accuracy not yet measured",
                             "ja": "{cap}中 · 精度は未測定"},
    "m_headroom": {"en": "Headroom", "ja": "余裕"},
    "m_recommended": {"en": "Recommended", "ja": "推奨"},
    "m_recommended_sub": {"en": "largest batch {batch}", "ja": "最大バッチ{batch}"},
    "m_gpus_needed": {"en": "GPUs needed", "ja": "必要なGPU数"},
    "m_gpus_needed_sub": {"en": "for batch {batch} per GPU", "ja": "GPUあたりバッチ{batch}に"},
    "m_more_than": {"en": "> {n}", "ja": "{n}超"},
    "m_cloud": {"en": "Cloud, per hour", "ja": "クラウド（1時間あたり）"},
    "m_cloud_sub": {"en": "{n} GPUs, catalog {asof}", "ja": "{n}台、カタログ{asof}"},
    "no_price": {"en": "no price", "ja": "価格なし"},
    "offload": {"en": "CPU offload", "ja": "CPUオフロード"},
    # sections
    "sec_memory": {"en": "Memory per GPU, by part", "ja": "GPUあたりのメモリ内訳"},
    "sec_memory_help": {"en": "Each bar is one method at your batch; hover a segment for its "
                              "formula and source. The whisker is the measured error band.",
                        "ja": "各棒は指定バッチでの各方法です。区分にカーソルを合わせると式と出典が"
                              "出ます。ひげは実測誤差の幅です。"},
    "sec_whatif": {"en": "What if", "ja": "もしも"},
    "sec_batch": {"en": "Peak against batch size", "ja": "バッチサイズとピーク"},
    "sec_vocab": {"en": "Peak against vocabulary size", "ja": "語彙サイズとピーク"},
    "sec_plan": {"en": "Recommended plan (Algorithm 1)", "ja": "推奨計画（アルゴリズム1）"},
    "sec_cost": {"en": "Cost comparison: every GPU type", "ja": "コスト比較：GPUの種類ごと"},
    "cost_help": {"en": "For each GPU type: the fewest GPUs that fit batch {batch} per GPU "
                        "(searched up to {max}), the fastest method at that count, and the hourly "
                        "cloud price range for all of them. Per-run time and cost, and purchase "
                        "break-even, come with the cost module.",
                  "ja": "GPUの種類ごとに、GPUあたりバッチ{batch}が収まる最少台数"
                        "（{max}台まで探索）、"
                        "その台数で最速の方法、全台数分のクラウド時間単価の幅を示します。1回あたりの"
                        "時間とコスト、購入の損益分岐はコストモジュールで追加されます。"},
    "sec_assumptions": {"en": "Assumptions and limits", "ja": "前提と限界"},
    "sec_downloads": {"en": "Take it to the meeting", "ja": "会議に持っていく"},
    "dl_csv": {"en": "Plan (CSV)", "ja": "計画（CSV）"},
    "dl_json": {"en": "Plan (JSON)", "ja": "計画（JSON）"},
    "dl_html": {"en": "Memory chart (HTML)", "ja": "メモリ図（HTML）"},
    "dl_png_hint": {"en": "PNG of any chart: the camera icon at its top right (2× resolution).",
                    "ja": "図のPNG：各図の右上のカメラアイコン（2倍解像度）。"},
    # chart labels
    "axis_gib": {"en": "GiB per GPU", "ja": "GPUあたりGiB"},
    "axis_batch": {"en": "Batch size per GPU", "ja": "GPUあたりのバッチサイズ"},
    "axis_vocab": {"en": "Vocabulary size", "ja": "語彙サイズ"},
    "capacity": {"en": "capacity {cap}", "ja": "容量 {cap}"},
    "largest_batch": {"en": "largest batch {batch}", "ja": "最大バッチ {batch}"},
    "your_batch": {"en": "your batch", "ja": "指定バッチ"},
    "peak": {"en": "peak", "ja": "ピーク"},
    "lm_head_part": {"en": "lm_head part", "ja": "lm_head部分"},
    "model_vocab_mark": {"en": "model: {vocab}", "ja": "モデル：{vocab}"},
    "whatif_vocab_mark": {"en": "what-if: {vocab}", "ja": "仮定：{vocab}"},
    "not_runnable": {"en": "cannot run", "ja": "実行不可"},
    "oom": {"en": "OOM", "ja": "不足"},
    "hover_share": {"en": "share of peak", "ja": "ピークに占める割合"},
    "hover_formula": {"en": "formula", "ja": "式"},
    "hover_source": {"en": "source", "ja": "出典"},
    "hover_band": {"en": "error band", "ja": "誤差範囲"},
    "chart_title_memory": {"en": "{model} · {n} × {gpu} · batch {batch} × {seq} tokens",
                           "ja": "{model} · {gpu} × {n}台 · バッチ{batch} × {seq}トークン"},
    # components
    "c_transformer": {"en": "Transformer body", "ja": "Transformer本体"},
    "c_lm_head": {"en": "lm_head + logits", "ja": "lm_head＋ロジット"},
    "c_optimizer": {"en": "Optimizer states", "ja": "オプティマイザ状態"},
    "c_activations": {"en": "Activations", "ja": "活性化"},
    "c_transient": {"en": "Transient all-gather", "ja": "一時的なall-gather"},
    "c_runtime": {"en": "Runtime base", "ja": "ランタイム基礎"},
    # methods
    "m_single": {"en": "Single GPU", "ja": "単一GPU"},
    "m_cdp": {"en": "CDP (DDP)", "ja": "CDP（DDP）"},
    "m_adp": {"en": "ADP (ZeRO-3/FSDP)", "ja": "ADP（ZeRO-3/FSDP）"},
    "m_tp": {"en": "TP ×{tp}", "ja": "TP ×{tp}"},
    "m_dp+tp": {"en": "DP+TP {dp}×{tp}", "ja": "DP+TP {dp}×{tp}"},
    "short_single": {"en": "1 GPU", "ja": "単一GPU"},
    "aka_cdp": {"en": "DDP", "ja": "DDP"},
    "aka_adp": {"en": "ZeRO-3/FSDP", "ja": "ZeRO-3/FSDP"},
    # tables
    "t_method": {"en": "Method", "ja": "方法"},
    "t_peak_batch": {"en": "Peak at your batch", "ja": "指定バッチでのピーク"},
    "t_fits": {"en": "Fits", "ja": "収まる"},
    "t_max_batch": {"en": "Largest batch", "ja": "最大バッチ"},
    "t_samples": {"en": "Samples per step", "ja": "1ステップのサンプル数"},
    "t_score": {"en": "Score", "ja": "スコア"},
    "t_peak_max": {"en": "Peak at largest batch", "ja": "最大バッチでのピーク"},
    "t_choice": {"en": "Choice", "ja": "選択"},
    "t_gpu": {"en": "GPU", "ja": "GPU"},
    "t_memory": {"en": "Memory", "ja": "メモリ"},
    "t_count": {"en": "GPUs needed", "ja": "必要台数"},
    "t_batch_there": {"en": "Largest batch there", "ja": "その台数での最大バッチ"},
    "t_cloud": {"en": "Cloud $/h (all GPUs)", "ja": "クラウド$/時（全台）"},
    "t_purchase": {"en": "Purchase (list)", "ja": "購入（定価）"},
    "t_as_of": {"en": "Prices as of", "ja": "価格時点"},
    "t_note": {"en": "Note", "ja": "備考"},
    "t_selected": {"en": "your GPU", "ja": "選択中"},
    "t_cheapest": {"en": "lowest $/h", "ja": "最安$/時"},
    "t_fewest": {"en": "fewest GPUs", "ja": "最少台数"},
    "t_term": {"en": "Term", "ja": "項"},
    "t_formula": {"en": "Formula", "ja": "式"},
    "t_value": {"en": "Value", "ja": "値"},
    "t_source": {"en": "Source", "ja": "出典"},
    "t_part": {"en": "Part", "ja": "区分"},
    "yes": {"en": "yes", "ja": "はい"},
    "no": {"en": "no", "ja": "いいえ"},
    "reason": {"en": "Why: {method} has the highest score ({score}): batch {batch} per replica, "
                     "{samples} samples per step.",
               "ja": "理由：{method}のスコア（{score}）が最も高いため。"
                     "レプリカあたりバッチ{batch}、1ステップ{samples}サンプル。"},
    # assumptions
    "a_profile": {"en": "Profile **{profile}**: {desc}",
                  "ja": "プロファイル **{profile}**：{desc}"},
    "profile_paper": {"en": "LLMem's equations for Colossal-AI Gemini: fp16/bf16 mixed precision "
                            "with gradient checkpointing (the paper's setting); every term is "
                            "summed as if all coexist (peak in the backward pass).",
                      "ja": "Colossal-AI Gemini向けのLLMemの式。fp16/bf16混合精度・勾配チェック"
                            "ポイントあり（論文の設定）。すべての項が同時に存在するとして合計します"
                            "（ピークは逆伝播）。"},
    "profile_pytorch": {"en": "eager PyTorch + Hugging Face transformers, checked against PyTorch "
                              "measurements.",
                        "ja": "eager PyTorch＋Hugging Face transformers。PyTorchの実測と照合。"},
    "a_band": {"en": "Uncertainty: ±{err} ({source}).", "ja": "不確かさ：±{err}（{source}）。"},
    "a_band_missing": {"en": "Uncertainty: this profile's accuracy has not been measured yet; "
                             "no band is drawn.",
                       "ja": "不確かさ：このプロファイルの精度はまだ測定されていないため、"
                             "誤差範囲は描きません。"},
    "a_runtime": {"en": "Runtime terms: m_base {context}, allocator slack {slack}, chunk size "
                        "{chunk}.",
                  "ja": "ランタイム項：m_base {context}、アロケータ断片化 {slack}、チャンクサイズ "
                        "{chunk}。"},
    "a_default": {"en": "profile default", "ja": "既定値"},
    "a_searched": {"en": "searched as Gemini does", "ja": "Geminiと同様に探索"},
    "a_not_included": {"en": "Not included in the estimate", "ja": "見積もりに含まれないもの"},
    "a_exclusions": {"en": "Memory used by other processes on the GPU (display, monitoring, "
                           "other jobs)|CPU offloading, LoRA/QLoRA, gradient accumulation and "
                           "pipeline parallelism|Runtimes other than the chosen profile (e.g. "
                           "DeepSpeed, Megatron) and their communication buffers|Host (CPU) "
                           "memory, disk and data loading|Training time and energy (coming with "
                           "the cost module)|Variation between GPUs of one job (the paper's "
                           "largest source of multi-GPU error)",
                     "ja": "GPU上の他のプロセスが使うメモリ（画面表示、監視、他のジョブ）|"
                           "CPUオフロード、LoRA/QLoRA、勾配累積、パイプライン並列|選んだプロファイル"
                           "以外のランタイム（DeepSpeed、Megatronなど）とその通信バッファ|"
                           "ホスト（CPU）メモリ、ディスク、データ読み込み|学習時間と電力"
                           "（コストモジュールで追加）|同じジョブ内のGPU間のばらつき"
                           "（論文でのマルチGPU誤差の最大要因）"},
    "a_notes": {"en": "Notes from the estimator", "ja": "見積もりの注記"},
}


def t(lang: Lang, key: str, **values: object) -> str:
    entry = STRINGS[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text


# ---- numbers -------------------------------------------------------------------------------

def fmt_int(n: int, lang: Lang) -> str:
    return f"{n:,}"


def fmt_gib(nbytes: int | float, lang: Lang, digits: int = 1) -> str:
    return f"{nbytes / GiB:,.{digits}f} GiB"


def fmt_pct(fraction: float, lang: Lang, digits: int = 0) -> str:
    return f"{fraction * 100:,.{digits}f} %" if lang == "en" else f"{fraction * 100:,.{digits}f}%"


def fmt_params(n: int, lang: Lang) -> str:
    """Parameter counts: 8.03 B in English; 80.3億 in Japanese (億 = 10⁸, 万 = 10⁴)."""
    if lang == "ja":
        if n >= 10**8:
            return f"{n / 10**8:,.1f}億"
        return f"{n / 10**4:,.0f}万"
    if n >= 10**9:
        return f"{n / 1e9:,.2f} B"
    return f"{n / 1e6:,.0f} M"


def fmt_usd(amount: float | None, lang: Lang) -> str:
    if amount is None:
        return t(lang, "no_price")
    digits = 0 if amount >= 100 else 2
    text = f"{amount:,.{digits}f}"
    return f"${text}" if lang == "en" else f"{text}ドル"


def fmt_usd_range(low: float | None, high: float | None, lang: Lang) -> str:
    """$1.72 – $20.28 in English; 1.72〜20.28ドル in Japanese (the unit once, after)."""
    if low is None or high is None:
        return t(lang, "no_price")
    if abs(high - low) < 0.005:
        return fmt_usd(low, lang)
    if lang == "ja":
        return f"{fmt_usd(low, lang).removesuffix('ドル')}〜{fmt_usd(high, lang)}"
    return f"{fmt_usd(low, lang)} – {fmt_usd(high, lang)}"


def method_label(method: Method, num_gpus: int, lang: Lang) -> str:
    kind = method.kind
    if kind == MethodKind.TP:
        return t(lang, "m_tp", tp=num_gpus)
    if kind == MethodKind.DP_TP:
        return t(lang, "m_dp+tp", dp=num_gpus // method.tp_degree, tp=method.tp_degree)
    return t(lang, f"m_{kind.value}")


def method_short(method: Method, num_gpus: int, lang: Lang) -> tuple[str, str]:
    """(short name, what it is also called) for tight places: ("ADP", "ZeRO-3/FSDP")."""
    kind = method.kind
    if kind in (MethodKind.CDP, MethodKind.ADP):
        return kind.value.upper(), t(lang, f"aka_{kind.value}")
    if kind == MethodKind.SINGLE:
        return t(lang, "short_single"), ""
    return method_label(method, num_gpus, lang), ""


def component_label(component: str, lang: Lang) -> str:
    return t(lang, f"c_{component}")
