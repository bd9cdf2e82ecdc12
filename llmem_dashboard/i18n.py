"""Every string of the page in English and Japanese, and number formatting per language.

`t(lang, key, **values)` looks a string up and fills its `{placeholders}`; a key missing in
Japanese falls back to English (tests check there are none). Bytes are shown in GiB (2**30),
the unit drivers report; money in the user's currency, as the cost module returns it.
"""

from __future__ import annotations

from llmem_core.cost.results import BreakEven
from llmem_core.errors import InputError
from llmem_core.models import Method, MethodKind
from llmem_core.parallelism import dp_tp_degree
from llmem_core.units import GiB

Lang = str  # "en" | "ja"

# Model families as their authors write them (proper names: the same in every language).
FAMILY_NAMES = {
    "opt": "OPT",
    "bloom": "BLOOM",
    "codegen": "CodeGen",
    "biogpt": "BioGPT",
    "gpt_bigcode": "GPT-BigCode",
    "gpt_neo": "GPT-Neo",
    "gpt2": "GPT-2",
    "llama": "Llama",
    "mistral": "Mistral",
    "mixtral": "Mixtral",
    "qwen2": "Qwen2",
    "gemma2": "Gemma 2",
    "phi3": "Phi-3",
    "qwen3": "Qwen3",
    "qwen3_moe": "Qwen3-MoE",
    "gemma3": "Gemma 3",
    "gpt_oss": "gpt-oss",
    "deepseek_v2": "DeepSeek-V2",
    "deepseek_v3": "DeepSeek-V3",
    "olmo2": "OLMo 2",
    "smollm3": "SmolLM3",
}

STRINGS: dict[str, dict[str, str]] = {
    # page
    "title": {
        "en": "GPU memory planner for LLM fine-tuning",
        "ja": "LLMファインチューニングのGPUメモリ計画",
    },
    "subtitle": {
        "en": "Peak memory per GPU, the fastest way to spread the job, and what it costs "
        "— estimated with LLMem (IJCAI 2024) before you rent or buy.",
        "ja": "GPUあたりのピークメモリ、最速の分散方法、そのコストを、GPUを借りる・"
        "買う前にLLMem（IJCAI 2024）で見積もります。",
    },
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
    "upload_hint": {
        "en": "Read as plain JSON; nothing is executed. The fields the estimate uses go "
        "into the share link (compressed), so the link opens this model.",
        "ja": "JSONとして読むだけで、何も実行しません。見積もりに使う項目は圧縮して"
        "共有リンクに入るため、リンクからこのモデルが開きます。",
    },
    "upload_not_in_link": {
        "en": "This model is too large to travel in the share link ({n} characters; at "
        "most {max}): the link opens on the preset instead. Send the config.json with it.",
        "ja": "このモデルは共有リンクに入りきりません（{n}文字、上限{max}文字）。リンクは"
        "プリセットで開きます。config.jsonも一緒に送ってください。",
    },
    "linked_model": {
        "en": "Model from the link: {name} ({params} parameters). Upload a file to replace it.",
        "ja": "リンクのモデル：{name}（パラメータ{params}）。ファイルをアップロードすると"
        "置き換わります。",
    },
    "upload_waiting": {
        "en": "No file yet: showing the preset above.",
        "ja": "ファイル未選択のため、上のプリセットを表示しています。",
    },
    "upload_ok": {
        "en": "Read {file}: {name}, {params} parameters",
        "ja": "{file}を読み込みました：{name}、{params}",
    },
    # sidebar: a Hugging Face Hub id as the model (hub_box.py, issue #13)
    "source_hub": {"en": "Hub id", "ja": "Hub ID"},
    "hub_box": {"en": "Hugging Face Hub id (ORG/NAME)", "ja": "Hugging Face HubのID（ORG/NAME）"},
    "hub_hint": {
        "en": "Only its config.json is fetched and read as plain JSON; nothing is executed. "
        "Gated models need HF_TOKEN where the page runs. The share link carries the id: the "
        "recipient's page fetches the same config.json.",
        "ja": "config.jsonだけを取得し、JSONとして読みます。何も実行しません。"
        "ゲート付きモデルにはページを動かす環境のHF_TOKENが必要です。共有リンクにはIDが含まれ、"
        "受け取った人のページが同じconfig.jsonを取得します。",
    },
    "hub_waiting": {
        "en": "No id yet: showing the preset above.",
        "ja": "ID未入力のため、上のプリセットを表示しています。",
    },
    "hub_bad_id": {
        "en": "A Hub id is ORG/NAME (letters, digits, - _ .)",
        "ja": "HubのIDはORG/NAMEの形です（英数字と - _ .）",
    },
    "hub_ok": {"en": "Read {name}: {params} parameters", "ja": "{name}を読み込みました：{params}"},
    "vocab_whatif": {"en": "Change the vocabulary (what-if)", "ja": "語彙サイズを変える（仮定）"},
    "vocab_size": {"en": "Vocabulary size", "ja": "語彙サイズ"},
    "vocab_model": {"en": "The model's own: {vocab}", "ja": "モデル本来の値：{vocab}"},
    "gpu_type": {"en": "GPU type", "ja": "GPUの種類"},
    "gpu_custom": {"en": "Custom memory…", "ja": "メモリ容量を指定…"},
    "gpu_gib": {"en": "Memory per GPU (GiB)", "ja": "GPUあたりのメモリ（GiB）"},
    "num_gpus": {"en": "Number of GPUs", "ja": "GPUの数"},
    "method": {"en": "Distribution method", "ja": "分散方法"},
    "method_all": {
        "en": "Compare all (Algorithm 1 picks)",
        "ja": "すべて比較（アルゴリズム1が選択）",
    },
    "tp_degree": {"en": "Tensor-parallel degree of DP+TP", "ja": "DP+TPのテンソル並列度"},
    "tp_auto": {"en": "Auto ({tp})", "ja": "自動（{tp}）"},
    "tp_auto_none": {
        "en": "Auto (no dp+tp layout on {gpus} GPUs)",
        "ja": "自動（{gpus}台ではDP+TPを構成できません）",
    },
    "batch": {"en": "Batch size per GPU (micro-batch)", "ja": "GPUあたりのバッチサイズ"},
    "seq": {"en": "Sequence length (tokens)", "ja": "系列長（トークン）"},
    "training_details": {"en": "Training details", "ja": "学習の詳細"},
    "precision": {"en": "Precision", "ja": "精度"},
    "precision_unsupported": {
        "en": "{gpu} has no bfloat16 tensor cores (bf16 needs compute capability 8.0, "
        "Ampere or newer): {precision} runs emulated and far slower, or not at all. Choose "
        "amp-fp16 or fp32 under Training details; memory is estimated as asked.",
        "ja": "{gpu}にはbfloat16のTensorコアがありません（bf16は計算能力8.0、Ampere以降が"
        "必要）。{precision}はエミュレーションで大幅に遅くなるか、動きません。学習の詳細で"
        "amp-fp16かfp32を選んでください。メモリは指定どおりに見積もっています。",
    },
    "optimizer": {"en": "Optimizer", "ja": "オプティマイザ"},
    "ckpt": {"en": "Gradient checkpointing", "ja": "勾配チェックポイント"},
    "ckpt_mode": {"en": "Checkpointing mode", "ja": "チェックポイントの方式"},
    "ckpt_full": {"en": "Every layer", "ja": "全層"},
    "ckpt_selective": {"en": "Every k-th layer", "ja": "k 層ごと"},
    "checkpoint_every": {"en": "Checkpoint every k-th layer", "ja": "k 層ごとにチェックポイント"},
    "finetuning": {
        "en": "Fine-tuning method, loss, offload",
        "ja": "ファインチューニング・損失・オフロード",
    },
    "finetune": {"en": "What trains", "ja": "学習する重み"},
    "ft_full": {"en": "Full fine-tuning", "ja": "フルファインチューニング"},
    "ft_lora": {"en": "LoRA (peft)", "ja": "LoRA（peft）"},
    "ft_qlora": {"en": "QLoRA (4-bit NF4 base)", "ja": "QLoRA（4ビット NF4 ベース）"},
    "lora_rank": {"en": "LoRA rank r", "ja": "LoRA ランク r"},
    "lora_targets": {"en": "LoRA targets", "ja": "LoRA の対象"},
    "lt_attn": {"en": "Attention", "ja": "アテンション"},
    "lt_all-linear": {"en": "All linear layers", "ja": "全線形層"},
    "lora_dropout": {"en": "LoRA dropout", "ja": "LoRA ドロップアウト"},
    "loss": {"en": "Loss", "ja": "損失"},
    "loss_standard": {"en": "Standard (all logits at once)", "ja": "標準（全ロジット一括）"},
    "loss_chunked": {
        "en": "Chunked cross-entropy (torchtune)",
        "ja": "チャンク分割交差エントロピー（torchtune）",
    },
    "loss_fused-linear": {
        "en": "Fused linear cross-entropy (Liger)",
        "ja": "融合線形交差エントロピー（Liger）",
    },
    "offload_label": {"en": "CPU offload", "ja": "CPU オフロード"},
    "offload_none": {"en": "None", "ja": "なし"},
    "offload_optimizer": {
        "en": "Optimizer states (DeepSpeed)",
        "ja": "オプティマイザ状態（DeepSpeed）",
    },
    "offload_optimizer+params": {
        "en": "Optimizer and parameters (FSDP2 / ZeRO-3)",
        "ja": "オプティマイザとパラメータ（FSDP2 / ZeRO-3）",
    },
    "zero3_engine": {"en": "ZeRO-3 engine (ADP)", "ja": "ZeRO-3 のエンジン（ADP）"},
    "zero_engine": {"en": "ZeRO-1 engine", "ja": "ZeRO-1 のエンジン"},
    "reshard": {"en": "FSDP2: reshard after forward", "ja": "FSDP2: 順伝播後に再シャード"},
    "host_memory": {
        "en": "Host (CPU) memory per node: **{host}**",
        "ja": "ノードあたりのホスト（CPU）メモリ: **{host}**",
    },
    "profile": {"en": "Runtime profile", "ja": "ランタイムプロファイル"},
    "advanced": {"en": "Advanced: runtime terms", "ja": "詳細：ランタイム項"},
    "context_mib": {
        "en": "CUDA context per GPU, m_base (MiB; 0 = profile default)",
        "ja": "GPUあたりのCUDAコンテキスト m_base（MiB、0=既定値）",
    },
    "slack_pct": {
        "en": "Allocator slack (% of tensor peak)",
        "ja": "アロケータの断片化（テンソルピークの%）",
    },
    "chunk": {
        "en": "Gemini chunk size (elements; 0 = searched)",
        "ja": "Geminiチャンクサイズ（要素数、0=探索）",
    },
    "share_header": {"en": "Share and present", "ja": "共有と発表"},
    "link_hint": {
        "en": "The address bar holds every input: copy it to share this plan.",
        "ja": "アドレスバーにすべての入力が入っています。コピーしてこの計画を共有できます。",
    },
    # link problems
    "link_problems": {
        "en": "Some parts of the link could not be used; defaults are shown instead:",
        "ja": "リンクの一部が使えなかったため、既定値を表示しています：",
    },
    "link_unknown_param": {
        "en": "unknown parameter “{param}”",
        "ja": "不明なパラメータ「{param}」",
    },
    "link_bad_hub": {
        "en": "“{param}={value}” is not a Hub id (ORG/NAME: letters, digits, - _ .); showing "
        "the preset",
        "ja": "「{param}={value}」はHubのIDではありません（ORG/NAME：英数字と - _ .）。"
        "プリセットを表示しています",
    },
    "link_bad_value": {
        "en": "“{param}={value}” is not valid (allowed: {detail})",
        "ja": "「{param}={value}」は無効です（有効な値：{detail}）",
    },
    "method_reset": {
        "en": "{method} does not run on {gpus} GPU(s); comparing all instead.",
        "ja": "{method}は{gpus}台では使えないため、すべて比較に戻しました。",
    },
    "tp_reset": {
        "en": "TP degree {tp} does not divide {gpus} GPUs; using the default.",
        "ja": "TP並列度{tp}は{gpus}台を割り切れないため、既定値を使います。",
    },
    "profile_missing": {
        "en": "Profile “{profile}” is planned but not in this version yet.",
        "ja": "プロファイル「{profile}」は準備中で、この版にはまだありません。",
    },
    "unexpected": {
        "en": "Something went wrong while computing this plan ({kind}: {message}). "
        "Change an input or reload the page.",
        "ja": "この計画の計算中に問題が起きました（{kind}: {message}）。"
        "入力を変えるか、ページを再読み込みしてください。",
    },
    "section_failed": {
        "en": "The part “{section}” cannot be shown for this plan; the rest of the page "
        "is unaffected. Change an input to try again.",
        "ja": "この計画では「{section}」を表示できません。ページの他の部分には影響ありません。"
        "入力を変えて再度お試しください。",
    },
    "input_error": {
        "en": "The plan cannot be estimated: see the message next to the input in the sidebar.",
        "ja": "この計画は見積もれません。サイドバーの入力の横のメッセージを見てください。",
    },
    # headline
    "verdict_fits": {"en": "Fits", "ja": "収まります"},
    "verdict_oom": {"en": "Out of memory", "ja": "メモリ不足"},
    "verdict_at-risk": {
        "en": "At risk: the GPU may run out of memory",
        "ja": "要注意：GPUのメモリが足りなくなるおそれがあります",
    },
    "verdict_why_fits": {
        "en": "The whole range of the estimate, {low} – {high}, is below the GPU's {cap}.",
        "ja": "見積もりの範囲 {low}〜{high} 全体が、GPUの{cap}を下回ります。",
    },
    "verdict_why_at-risk": {
        "en": "The estimate's range, {low} – {high}, crosses the GPU's {cap}: the "
        "allocator may have to give back its cache, or the step may fail.",
        "ja": "見積もりの範囲 {low}〜{high} がGPUの{cap}をまたぎます。アロケータが"
        "キャッシュを手放す必要があるか、ステップが失敗するおそれがあります。",
    },
    "verdict_why_oom": {
        "en": "Even the low end of the estimate, {low}, exceeds the GPU's {cap}.",
        "ja": "見積もりの下限 {low} でさえ、GPUの{cap}を超えます。",
    },
    "sentence_fits": {
        "en": "**{model}** fine-tuning fits on **{n} × {gpu}** with **{method}** at "
        "batch {batch} per GPU: peak {peak} of {cap} per GPU, {headroom} "
        "headroom.",
        "ja": "**{model}** のファインチューニングは **{gpu} × {n}台** に **{method}**"
        "・GPUあたりバッチ{batch}で収まります。GPUあたりのピークは{cap}中{peak}、"
        "余裕は{headroom}です。",
    },
    "sentence_oom": {
        "en": "**{model}** fine-tuning does **not** fit on **{n} × {gpu}** with "
        "**{method}** at batch {batch} per GPU: peak {peak} exceeds {cap} per "
        "GPU by {over}.",
        "ja": "**{model}** のファインチューニングは **{gpu} × {n}台** に **{method}**"
        "・GPUあたりバッチ{batch}では**収まりません**。ピーク{peak}がGPUあたり"
        "{cap}を{over}超えます。",
    },
    "sentence_at_risk": {
        "en": "**{model}** fine-tuning is **at risk** on **{n} × {gpu}** with **{method}** "
        "at batch {batch} per GPU: peak {peak} of {cap} per GPU ({headroom} headroom), but "
        "the estimate's range reaches {high}.",
        "ja": "**{model}** のファインチューニングは **{gpu} × {n}台** に **{method}**"
        "・GPUあたりバッチ{batch}では**要注意**です。GPUあたりのピークは{cap}中{peak}"
        "（余裕{headroom}）ですが、見積もりの範囲は{high}に達します。",
    },
    "cost_mine_at_risk": {
        "en": "Time and cost: this plan is not sure to fit (at risk); the comparison below "
        "lists the GPU types and counts that do.",
        "ja": "時間とコスト：この計画は収まるとは限りません（要注意）。下の比較に収まるGPUの"
        "種類と台数があります。",
    },
    "sentence_plan": {
        "en": "Recommended: **{method}**, up to batch {batch} per GPU "
        "({samples} samples per step).",
        "ja": "推奨：**{method}**、GPUあたり最大バッチ{batch}（1ステップ{samples}サンプル）。",
    },
    "sentence_offload": {
        "en": "No method fits even batch 1: offload optimizer states or "
        "parameters to CPU, or use more or larger GPUs.",
        "ja": "バッチ1でも収まる方法がありません。オプティマイザ状態やパラメータを"
        "CPUにオフロードするか、GPUを増やす・大きくしてください。",
    },
    "m_verdict": {"en": "Verdict", "ja": "判定"},
    "m_peak": {"en": "Peak per GPU (nvidia-smi)", "ja": "GPUあたりのピーク（nvidia-smi）"},
    "m_peak_of": {"en": "of {cap} · {low} – {high}", "ja": "{cap}中 · {low}〜{high}"},
    "m_peak_of_unmeasured": {
        "en": "of {cap} · accuracy not yet measured",
        "ja": "{cap}中 · 精度は未測定",
    },
    "m_headroom": {"en": "Headroom", "ja": "余裕"},
    "m_recommended": {"en": "Recommended", "ja": "推奨"},
    "m_recommended_sub": {"en": "largest batch {batch}", "ja": "最大バッチ{batch}"},
    "m_gpus_needed": {"en": "GPUs needed", "ja": "必要なGPU数"},
    "m_gpus_needed_sub": {"en": "for batch {batch} per GPU", "ja": "GPUあたりバッチ{batch}の場合"},
    "m_more_than": {"en": "> {n}", "ja": "{n}超"},
    "no_price": {"en": "no price", "ja": "価格なし"},
    "offload": {"en": "CPU offload", "ja": "CPUオフロード"},
    # sections
    "sec_headline": {"en": "Verdict", "ja": "判定"},
    "sec_memory": {"en": "Memory per GPU, by part", "ja": "GPUあたりのメモリ内訳"},
    "sec_memory_help": {
        "en": "Each bar is one method at your batch; hover a segment for its "
        "formula and source. The bar is what nvidia-smi would show; the whisker is the "
        "estimate's range (from the least the step needs to the largest allocator slack, "
        "widened by the error measured against published real-GPU figures).",
        "ja": "各棒は指定バッチでの各方法です。区分にカーソルを合わせると式と出典が"
        "出ます。棒はnvidia-smiに表示される量、ひげは見積もりの範囲です（ステップに最低限"
        "必要な量から最大のアロケータ余剰まで、公開された実GPU測定との誤差で広げたもの）。",
    },
    "sec_whatif": {"en": "What if", "ja": "もしも"},
    "sec_batch": {"en": "Peak against batch size", "ja": "バッチサイズとピーク"},
    "sec_vocab": {"en": "Peak against vocabulary size", "ja": "語彙サイズとピーク"},
    "sec_plan": {"en": "Recommended plan (Algorithm 1)", "ja": "推奨計画（アルゴリズム1）"},
    # cost: headline
    "m_time": {"en": "Time per run", "ja": "1回の学習時間"},
    "m_time_sub": {
        "en": "{data} × {epochs} epochs · {rate} tokens/s",
        "ja": "{data} × {epochs}エポック・毎秒{rate}トークン",
    },
    "m_cost_run": {"en": "On-demand cost per run", "ja": "1回のオンデマンド費用"},
    "sentence_cost": {
        "en": "About **{hours}** and **{on_demand}** per run on demand{floor}",
        "ja": "1回あたり約**{hours}**、オンデマンドで**{on_demand}**{floor}",
    },
    "sentence_floor": {
        "en": " (**{floor}** at the cheapest interruptible or marketplace listing, {interrupts})",
        "ja": "（中断あり・マーケットプレイスの最安掲載価格で**{floor}**、{interrupts}）",
    },
    "sentence_no_floor": {
        "en": " (no interruptible or marketplace listing in the catalog)",
        "ja": "（カタログに中断あり・マーケットプレイスの掲載なし）",
    },
    "sentence_buy": {
        "en": "; buying the {n} GPUs and {nodes} server(s) for **{total}** pays off after "
        "**{range}** against on-demand rent (the first figure at the dearest on-demand "
        "listing, the second at the cheapest){floor}.",
        "ja": "。{n}台のGPUとサーバー{nodes}台を**{total}**で購入すると、オンデマンドの賃料に"
        "対して**{range}**で元が取れます（前の値はオンデマンド最高値、後の値は最安値に対して）"
        "{floor}。",
    },
    "sentence_buy_floor": {
        "en": ", and after **{floor}** against the cheapest interruptible or marketplace "
        "listing ({interrupts})",
        "ja": "。中断あり・マーケットプレイスの最安掲載価格に対しては**{floor}**で元が取れます"
        "（{interrupts}）",
    },
    "sentence_buy_floor_never": {
        "en": ", and never against the cheapest interruptible or marketplace listing",
        "ja": "。中断あり・マーケットプレイスの最安掲載価格に対しては元が取れません",
    },
    "sentence_buy_no_on_demand": {
        "en": "; the catalog has no on-demand price for this GPU, so buying is compared "
        "only with the cheapest interruptible or marketplace listing: **{floor}** "
        "({interrupts}).",
        "ja": "。このGPUにはカタログのオンデマンド価格がないため、購入は中断あり・"
        "マーケットプレイスの最安掲載価格とだけ比べます：**{floor}**（{interrupts}）。",
    },
    "floor_interrupts": {
        "en": "its interruptions counted: +{pct} time",
        "ja": "中断による損失込み：時間+{pct}",
    },
    "floor_listed": {
        "en": "its interruptions not counted",
        "ja": "中断による損失は数えていません",
    },
    "be_range": {
        "en": "{runs_high}–{runs_low} runs ({months_high}–{months_low} months)",
        "ja": "{runs_high}〜{runs_low}回（{months_high}〜{months_low}か月）",
    },
    "be_one": {"en": "{runs} runs ({months} months)", "ja": "{runs}回（{months}か月）"},
    "be_range_never": {
        "en": "{runs} runs ({months} months); never at the cheapest on-demand listing",
        "ja": "{runs}回（{months}か月）。オンデマンド最安値に対しては元が取れません",
    },
    "be_range_short": {
        "en": "{runs_high}–{runs_low} runs ({months_high}–{months_low} mo.)",
        "ja": "{runs_high}〜{runs_low}回（{months_high}〜{months_low}か月）",
    },
    "be_range_short_never": {
        "en": "{runs} runs ({months} mo.); never at the cheapest",
        "ja": "{runs}回（{months}か月）。最安値では回収不可",
    },
    "m_purchase": {"en": "Buying this plan", "ja": "この計画の購入費"},
    "m_purchase_sub": {
        "en": "{n} GPUs + {nodes} × {node} server",
        "ja": "GPU {n}台＋サーバー{nodes}台×{node}",
    },
    "m_purchase_help": {
        "en": "The GPUs at the catalog's (or your) purchase price, and per server of up to 8 "
        "GPUs its other parts (CPUs, memory, network cards, storage, chassis): 32,010 USD, a "
        "DGX H100's bill of materials without its GPUs (SemiAnalysis, as summed by Epoch AI). "
        "A heuristic floor for a data-centre server; a workstation costs less.",
        "ja": "GPUはカタログ（または入力）の購入価格、サーバー（GPU8台まで）1台ごとにその他の"
        "部品（CPU・メモリ・ネットワークカード・ストレージ・筐体）32,010米ドル。DGX H100の"
        "GPU以外の部品原価（SemiAnalysis、Epoch AIの集計）で、データセンター用サーバーの"
        "下限の目安です。ワークステーションはこれより安価です。",
    },
    "m_break_even_help": {
        "en": "Runs after which buying (GPUs and servers) has cost less than renting on "
        "demand: the first figure against the dearest on-demand listing, the second against "
        "the cheapest (on-demand: not pre-emptible, RunPod Community and Secure Pods "
        "included). Against the cheapest interruptible or marketplace listing (spot, "
        "interruptible, or a marketplace's lowest offer of unstated kind), its interruptions "
        "not counted, the figure is in the headline and the table. Months assume the owned "
        "GPUs run this job for the hours per month set under the cost assumptions.",
        "ja": "購入（GPUとサーバー）の総額がオンデマンドのレンタルより安くなるまでの回数。"
        "前の値はオンデマンド最高値、後の値は最安値に対して（オンデマンド＝中断されない提供。"
        "RunPodのCommunity・Secureを含む）。中断あり・マーケットプレイスの最安掲載価格"
        "（スポット、中断あり、または種類の記載がないマーケットプレイスの最安値）に対する値は、"
        "中断による損失を数えずに冒頭の文と表に示します。月数は、所有GPUがコストの前提で"
        "設定した月間稼働時間でこのジョブを回す場合です。",
    },
    "sentence_be_never": {
        "en": "; buying never pays off at these prices (electricity costs as much as the rent).",
        "ja": "。この価格では購入の元は取れません（電気代が賃料以上）。",
    },
    "sentence_be_none": {
        "en": "; no purchase price to compare buying with.",
        "ja": "。購入価格がないため購入とは比較できません。",
    },
    "cost_mine_custom": {
        "en": "Time and cost: a custom GPU has no catalog speed or price; the "
        "comparison below covers catalog GPUs.",
        "ja": "時間とコスト：メモリ指定のGPUにはカタログの性能・価格がありません。"
        "下の比較はカタログのGPUです。",
    },
    "cost_mine_oom": {
        "en": "Time and cost: this plan does not fit; the comparison below lists "
        "the GPU types and counts that do.",
        "ja": "時間とコスト：この計画は収まりません。下の比較に収まるGPUの種類と台数があります。",
    },
    "cost_mine_oom_none": {
        "en": "Time and cost: this plan does not fit, and no GPU type compared below fits "
        "it at any count either (see the sentence under the cost inputs).",
        "ja": "時間とコスト：この計画は収まらず、下で比較するどのGPUでも、どの台数でも"
        "収まりません（コストの入力欄の下の説明を参照）。",
    },
    # cost: section and inputs
    "sec_cost": {
        "en": "Cost: every GPU type that can run the job",
        "ja": "コスト：このジョブを実行できるGPUの種類ごと",
    },
    "cost_help": {
        "en": "Each row is a GPU type and count that fits batch {batch} per GPU, with "
        "the fastest method there, the time of one run over your data and its "
        "cost; cheapest first ({basis}). On demand = GPU-hours × the lowest and "
        "highest on-demand rent; interruptible = × the cheapest interruptible or "
        "marketplace listing, with the time its interruptions add (Cost assumptions); "
        "owned = purchase spread over its life + electricity. Formulas and sources: "
        "docs/cost.md.",
        "ja": "各行は、GPUあたりバッチ{batch}が収まるGPUの種類と台数、その台数で最速の"
        "方法、データ全体での1回の学習時間とコストです。安い順（{basis}）。"
        "オンデマンド＝GPU時間×オンデマンド賃料の最安値と最高値、中断あり＝GPU時間×中断あり・"
        "マーケットプレイスの最安値（中断で増える時間込み、コストの前提で設定）、"
        "所有＝購入価格を耐用期間で割った額＋電気代。"
        "式と出典：docs/cost.md。",
    },
    "c_data": {"en": "Dataset size", "ja": "データ量"},
    "data_header": {"en": "Data", "ja": "データ"},
    "c_unit_converted": {
        "en": "Converted so the data stays the same: {old} = {new}.",
        "ja": "データ量が変わらないよう換算しました：{old} ＝ {new}。",
    },
    "c_unit": {"en": "Counted in", "ja": "単位"},
    "unit_tokens": {"en": "tokens", "ja": "トークン"},
    "unit_samples": {"en": "samples of {seq} tokens", "ja": "サンプル（{seq}トークン）"},
    "c_epochs": {"en": "Epochs", "ja": "エポック数"},
    "c_currency": {"en": "Currency", "ja": "通貨"},
    "c_rate": {"en": "{code} per US dollar", "ja": "1米ドルあたりの{code}"},
    "c_rate_help": {
        "en": "Catalog prices are in US dollars and are converted at this rate. The "
        "starting rate is a rough round figure, not a quote: type today's.",
        "ja": "カタログの価格は米ドルで、このレートで換算します。初期値は"
        "おおまかな概数で相場ではありません。当日のレートを入力してください。",
    },
    "c_currency_reset": {
        "en": "Currency changed: price edits, the budget and the power price "
        "were cleared (they were in {old}).",
        "ja": "通貨を変えたため、価格の編集・予算・電気料金を消去しました（{old}建てでした）。",
    },
    "c_deadline": {"en": "Deadline per run (hours)", "ja": "1回の期限（時間）"},
    "c_budget": {"en": "Budget per run ({code})", "ja": "1回の予算（{code}）"},
    "c_none": {"en": "none", "ja": "なし"},
    "c_basis": {"en": "Cheapest by", "ja": "安さの基準"},
    "basis_cloud-low": {"en": "cloud, lowest price", "ja": "クラウド最安値"},
    "basis_cloud-high": {"en": "cloud, highest price", "ja": "クラウド最高値"},
    "basis_on-demand": {"en": "on-demand, lowest price", "ja": "オンデマンド最安値"},
    "basis_owned": {"en": "owned (purchase + power)", "ja": "所有（購入＋電気代）"},
    "c_gpu_set": {"en": "Compare", "ja": "比較するGPU"},
    "gpuset_short": {"en": "Shortlist ({n})", "ja": "主要な{n}種"},
    "gpuset_all": {"en": "All ({n})", "ja": "すべて（{n}種）"},
    "c_counts": {"en": "GPU counts", "ja": "台数"},
    "counts_fewest": {"en": "Fewest per type", "ja": "種類ごとに最少"},
    "counts_all": {"en": "Every count to {max}", "ja": "{max}台までのすべて"},
    "c_assumptions": {
        "en": "Cost assumptions: speed, ownership, power, interruptions",
        "ja": "コストの前提：速度・所有・電力・中断",
    },
    "c_speed_help": {
        "en": "Utilisation: the share of the GPU's peak FLOP/s a method sustains. "
        "Communication penalty: the share of time lost to communication. "
        "Both are heuristics (docs/cost.md); put in your own measurements.",
        "ja": "利用率：その方法が維持できるGPUピークFLOP/sの割合。通信ペナルティ："
        "通信で失われる時間の割合。どちらも経験則（docs/cost.md）です。"
        "実測値があれば入力してください。",
    },
    "c_util": {"en": "{method}: utilisation (%)", "ja": "{method}：利用率（%）"},
    "c_comm": {"en": "communication penalty (%)", "ja": "通信ペナルティ（%）"},
    "c_years": {"en": "Amortisation (years)", "ja": "償却期間（年）"},
    "c_hours_pm": {"en": "Hours owned GPUs run per month", "ja": "所有GPUの月間稼働時間"},
    "c_kwh": {"en": "Power price per kWh ({code})", "ja": "1kWhあたりの電気料金（{code}）"},
    "c_kwh_default": {"en": "default {value}", "ja": "既定値 {value}"},
    "c_pue": {"en": "PUE (facility power ÷ GPU power)", "ja": "PUE（施設電力÷GPU電力）"},
    "c_interrupts_help": {
        "en": "Interruptible and marketplace listings: each interruption loses the work since "
        "the last checkpoint and a restart; checkpoints take time too (Daly's model, "
        "docs/cost.md). The defaults are heuristics, not measurements: an interruption per "
        "server every {hours} h, {save}-minute checkpoints, {restart}-minute restarts. Waiting "
        "for capacity to come back is not counted.",
        "ja": "中断あり・マーケットプレイスの掲載：中断のたびに直前のチェックポイント以降の計算と"
        "再開の時間を失い、チェックポイントの保存にも時間がかかります（Dalyのモデル、"
        "docs/cost.md）。既定値は実測ではなく経験則です：サーバーあたり{hours}時間に1回の中断、"
        "保存{save}分、再開{restart}分。空きが戻るまでの待ち時間は数えていません。",
    },
    "c_interrupts": {"en": "Count interruptions", "ja": "中断を数える"},
    "c_mtbi": {
        "en": "Hours between interruptions (per server)",
        "ja": "中断の平均間隔（サーバーあたり・時間）",
    },
    "c_save_min": {"en": "Checkpoint write (minutes)", "ja": "チェックポイント保存（分）"},
    "c_restart_min": {"en": "Restart (minutes)", "ja": "再開（分）"},
    "c_prices": {
        "en": "Prices per GPU: sources, dates, your edits",
        "ja": "GPUごとの価格：出典・時点・編集",
    },
    "c_price_gpu": {"en": "GPU to edit", "ja": "編集するGPU"},
    "c_low": {"en": "Cloud, lowest ({code}/GPU-hour)", "ja": "クラウド最安（{code}/GPU時間）"},
    "c_high": {"en": "Cloud, highest ({code}/GPU-hour)", "ja": "クラウド最高（{code}/GPU時間）"},
    "c_od_low": {
        "en": "On-demand, lowest ({code}/GPU-hour)",
        "ja": "オンデマンド最安（{code}/GPU時間）",
    },
    "c_od_high": {
        "en": "On-demand, highest ({code}/GPU-hour)",
        "ja": "オンデマンド最高（{code}/GPU時間）",
    },
    "c_floor": {
        "en": "Interruptible or marketplace, lowest ({code}/GPU-hour)",
        "ja": "中断あり・マーケットプレイス最安（{code}/GPU時間）",
    },
    "c_buy": {"en": "Purchase per GPU ({code})", "ja": "GPU1台の購入価格（{code}）"},
    "c_watts": {"en": "Power per GPU (W)", "ja": "GPU1台の電力（W）"},
    "c_reset": {"en": "Back to catalog prices", "ja": "カタログの価格に戻す"},
    "c_prices_help": {
        "en": "Empty fields keep the catalog's figure (shown in grey). Edits are in "
        "{code} and go into the link.",
        "ja": "空欄はカタログの値（灰色で表示）のままです。編集は{code}建てで、リンクに入ります。",
    },
    "cost_filtered": {
        "en": "{n} plan(s) miss the deadline or the budget and are hidden.",
        "ja": "{n}件の計画が期限または予算を満たさないため非表示です。",
    },
    "cost_skipped": {"en": "Not in the table: {items}.", "ja": "表にないもの：{items}。"},
    "skip_nofit": {"en": "no count up to {max} fits", "ja": "{max}台までどの台数でも収まらない"},
    "skip_noflops": {"en": "no peak FLOP/s in the catalog", "ja": "カタログにピーク性能なし"},
    "cost_none": {
        "en": "No plan passes the filters: relax the deadline or the budget, or compare "
        "all GPU types.",
        "ja": "条件を満たす計画がありません。期限や予算を緩めるか、すべてのGPUを比較してください。",
    },
    "cost_nofit": {
        "en": "No GPU type in the list fits batch {batch} per GPU at {seq} tokens, on any "
        "count up to {max} GPUs: try a smaller batch, a shorter sequence, gradient "
        "checkpointing, LoRA, or compare all GPU types.",
        "ja": "一覧のどのGPUでも、{max}台までのどの台数でも、GPUあたりバッチ{batch}・"
        "{seq}トークンは収まりません。バッチや系列長を小さくする、勾配チェックポイント、"
        "LoRA、すべてのGPUの比較を試してください。",
    },
    "cost_mine_missing": {
        "en": "First row: your plan ({n} × {gpu}), for comparison. It is "
        "outside the ranking (another count is shown for that GPU, or "
        "it misses the filters), so it is not marked cheapest or fastest.",
        "ja": "1行目はあなたの計画（{gpu} × {n}台）で、比較のために"
        "表示しています。ランキング外（そのGPUは別の台数を表示、または条件外）のため、"
        "最安・最速の対象ではありません。",
    },
    # cost: table and chart
    "ct_note": {"en": "Note", "ja": "備考"},
    "ct_gpu": {"en": "GPU", "ja": "GPU"},
    "ct_count": {"en": "GPUs", "ja": "台数"},
    "ct_method": {"en": "Method", "ja": "方法"},
    "ct_max_batch": {"en": "Largest batch", "ja": "最大バッチ"},
    "ct_time": {"en": "Time per run", "ja": "1回の時間"},
    "ct_on_demand": {"en": "On demand per run", "ja": "オンデマンド（1回）"},
    "ct_floor": {"en": "Interruptible per run", "ja": "中断あり（1回）"},
    "ct_owned": {"en": "Owned per run", "ja": "所有（1回）"},
    "ct_be_on_demand": {
        "en": "Buying pays off vs on-demand (dearest–cheapest)",
        "ja": "購入の回収（オンデマンド最高値〜最安値比）",
    },
    "ct_be_floor": {"en": "vs cheapest interruptible", "ja": "（中断あり最安値比）"},
    "no_listing": {"en": "none listed", "ja": "掲載なし"},
    "ct_tps": {"en": "Tokens/s", "ja": "トークン/秒"},
    "ct_purchase": {"en": "Buying (GPUs + servers)", "ja": "購入費（GPU＋サーバー）"},
    "ct_link": {"en": "Interconnect", "ja": "接続"},
    "link_fabric": {"en": "NVLink / fabric", "ja": "NVLink等"},
    "link_pcie": {"en": "PCIe", "ja": "PCIe"},
    "link_nodes": {"en": "{link}, {n} servers", "ja": "{link}・サーバー{n}台"},
    "ct_as_of": {"en": "Prices as of", "ja": "価格時点"},
    "mk_cheapest": {"en": "cheapest", "ja": "最安"},
    "mk_fastest": {"en": "fastest", "ja": "最速"},
    "mk_mine": {"en": "your plan", "ja": "あなたの計画"},
    "mk_edited": {"en": "edited", "ja": "編集済み"},
    "pt_gpu": {"en": "GPU", "ja": "GPU"},
    "pt_on_demand": {"en": "On-demand /GPU-h", "ja": "オンデマンド/GPU時間"},
    "pt_floor": {
        "en": "Interruptible or marketplace /GPU-h",
        "ja": "中断あり・マーケットプレイス/GPU時間",
    },
    "kind_interruptible": {"en": "interruptible", "ja": "中断あり"},
    "kind_marketplace": {
        "en": "marketplace, kind not stated",
        "ja": "マーケットプレイス・種類不明",
    },
    "pt_low": {"en": "Any listing, low /GPU-h", "ja": "全掲載の最安/GPU時間"},
    "pt_high": {"en": "Any listing, high /GPU-h", "ja": "全掲載の最高/GPU時間"},
    "pt_buy": {"en": "Purchase /GPU", "ja": "購入/台"},
    "pt_watts": {"en": "Power (W)", "ja": "電力（W）"},
    "pt_cloud_source": {"en": "Cloud price source", "ja": "クラウド価格の出典"},
    "pt_buy_source": {"en": "Purchase price source", "ja": "購入価格の出典"},
    "pt_as_of": {"en": "As of", "ja": "時点"},
    "pt_edited": {"en": "Your edits", "ja": "編集"},
    # the "Your edits" column: which PriceOverride fields the user changed
    "edit_cloud_per_gpu_hour_low": {"en": "low", "ja": "最安値"},
    "edit_cloud_per_gpu_hour_high": {"en": "high", "ja": "最高値"},
    "edit_on_demand_per_gpu_hour_low": {"en": "on-demand low", "ja": "オンデマンド最安値"},
    "edit_on_demand_per_gpu_hour_high": {"en": "on-demand high", "ja": "オンデマンド最高値"},
    "edit_interruptible_per_gpu_hour": {"en": "interruptible", "ja": "中断可能"},
    "edit_purchase_per_gpu": {"en": "purchase", "ja": "購入価格"},
    "edit_power_w": {"en": "W", "ja": "W"},
    "edit_bf16_tflops_dense": {"en": "TFLOP/s", "ja": "TFLOP/s"},
    "cost_chart_title": {
        "en": "Cost per run against time per run<br><sup>{basis}</sup>",
        "ja": "1回のコストと時間<br><sup>{basis}</sup>",
    },
    "cost_chart_range": {
        "en": "bar: on-demand low to high",
        "ja": "縦線：オンデマンド最安〜最高",
    },
    "axis_hours": {"en": "Time per run (hours, log scale)", "ja": "1回の時間（時間、対数）"},
    "axis_cost": {"en": "Cost per run ({code}, log scale)", "ja": "1回のコスト（{code}、対数）"},
    "u_minutes": {"en": "{n} min", "ja": "{n}分"},
    "u_hours": {"en": "{n} h", "ja": "{n}時間"},
    "u_days": {"en": "{n} days", "ja": "{n}日"},
    "be_ok": {"en": "{runs} runs ({months} mo.)", "ja": "{runs}回（{months}か月）"},
    "be_never": {"en": "never", "ja": "回収不可"},
    "be_past_life": {
        "en": "† Pays off only after the GPUs' {years}-year amortisation period.",
        "ja": "† 償却期間（{years}年）を過ぎてから元が取れます。",
    },
    "be_runs": {"en": "{runs} runs", "ja": "{runs}回"},
    "m_owned_run": {"en": "Owned cost per run", "ja": "所有時の1回の費用"},
    "m_owned_sub": {"en": "purchase over {years} y + power", "ja": "購入{years}年償却＋電気代"},
    "m_break_even": {"en": "Buying pays off after", "ja": "購入の元が取れるまで"},
    "m_be_months": {"en": "{months} mo.", "ja": "{months}か月"},
    "m_be_months_never": {"en": "{months} mo. – never", "ja": "{months}か月〜回収不可"},
    "m_break_even_sub": {"en": "{runs} runs vs on-demand", "ja": "オンデマンド比{runs}回"},
    "m_cost_sub": {"en": "interruptible {floor}", "ja": "中断あり{floor}"},
    "m_cost_sub_nofloor": {"en": "no interruptible listing", "ja": "中断ありの掲載なし"},
    "data_amount": {"en": "{n} {unit}", "ja": "{n}{unit}"},
    "c_data_total": {"en": "{total} tokens per run", "ja": "1回あたり{total}トークン"},
    "dl_cost_csv": {"en": "Cost comparison (CSV)", "ja": "コスト比較（CSV）"},
    "sec_assumptions": {"en": "Assumptions and limits", "ja": "前提と限界"},
    "sec_downloads": {"en": "Take it to the meeting", "ja": "会議に持っていく"},
    # the tabs below the memory chart (short: a phone shows them in one row)
    "tab_plan": {"en": "Plan", "ja": "計画"},
    "tab_cost": {"en": "Cost", "ja": "コスト"},
    "tab_whatif": {"en": "What if", "ja": "もしも"},
    "tab_assumptions": {"en": "Assumptions", "ja": "前提"},
    "tab_downloads": {"en": "Downloads", "ja": "ダウンロード"},
    "tab_runs": {"en": "Runs", "ja": "実測"},
    "sec_runs": {"en": "Your measured runs", "ja": "実測したラン"},
    "dl_csv": {"en": "Plan (CSV)", "ja": "計画（CSV）"},
    "dl_json": {"en": "Plan (JSON)", "ja": "計画（JSON）"},
    "dl_html": {"en": "Memory chart (HTML, offline)", "ja": "メモリ図（HTML・オフライン）"},
    "dl_html_light": {
        "en": "Memory chart, small (HTML, needs internet)",
        "ja": "メモリ図・軽量版（HTML・要インターネット）",
    },
    "dl_html_light_note": {
        "en": "The chart in this file loads plotly.js from cdn.plot.ly, so it needs an internet "
        "connection; the table under it carries the same figures and reads without one.",
        "ja": "このファイルの図はcdn.plot.lyからplotly.jsを読み込むため、インターネット接続が"
        "必要です。図の下の表は同じ数値を載せており、接続なしでも読めます。",
    },
    "dl_html_help": {
        "en": "HTML: the offline file embeds plotly.js (about 5 MB); the small one (tens of kB, "
        "for an email or a slide) loads it from cdn.plot.ly, so its chart needs internet — "
        "the table in it carries the same figures.",
        "ja": "HTML：オフライン版はplotly.jsを内蔵します（約5 MB）。軽量版（数十kB、メールや"
        "スライド向け）はcdn.plot.lyから読み込むため図の表示にはインターネットが必要です。"
        "中の表は同じ数値を載せています。",
    },
    "t_verdict": {"en": "Verdict", "ja": "判定"},
    "dl_png_hint": {
        "en": "PNG of any chart: the camera icon at its top right (2× resolution).",
        "ja": "図のPNG：各図の右上のカメラアイコン（2倍解像度）。",
    },
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
    "hover_band": {"en": "range", "ja": "範囲"},
    "at_risk": {"en": "at risk", "ja": "要注意"},
    "sum_vocab": {
        "en": "{model} (vocabulary {vocab}, what-if; its own {own})",
        "ja": "{model}（語彙{vocab}の仮定、本来は{own}）",
    },
    "sum_gpus": {"en": "{n} × {gpu}", "ja": "{gpu} × {n}台"},
    "sum_batch": {"en": "batch {batch} × {seq} tokens", "ja": "バッチ{batch} × {seq}トークン"},
    "sum_ckpt_full": {"en": "checkpointing every layer", "ja": "全層チェックポイント"},
    "sum_ckpt_every": {
        "en": "checkpointing one layer in {k}",
        "ja": "{k}層ごとにチェックポイント",
    },
    "sum_ckpt_off": {"en": "no checkpointing", "ja": "チェックポイントなし"},
    "vshort_fits": {"en": "fits", "ja": "収まる"},
    "vshort_at-risk": {"en": "at risk", "ja": "要注意"},
    "vshort_oom": {"en": "out of memory", "ja": "メモリ不足"},
    "sum_verdict": {
        "en": "{verdict}: {low}–{high} of {cap}",
        "ja": "{verdict}：{cap}中{low}〜{high}",
    },
    # components
    "c_transformer": {"en": "Transformer body", "ja": "Transformer本体"},
    "c_lm_head": {"en": "lm_head + logits", "ja": "lm_head＋ロジット"},
    "c_optimizer": {"en": "Optimizer states", "ja": "オプティマイザ状態"},
    "c_activations": {"en": "Activations", "ja": "活性化"},
    "c_transient": {
        "en": "Communication buffers (DDP buckets, gathers)",
        "ja": "通信バッファ（DDPバケット、gather）",
    },
    "phase_mark": {"en": "peak now set by the {phase}", "ja": "ここからピークは{phase}"},
    "phase_forward": {"en": "forward pass", "ja": "順伝播"},
    "phase_backward": {"en": "backward pass", "ja": "逆伝播"},
    "phase_optimizer-step": {"en": "optimizer step", "ja": "オプティマイザのステップ"},
    "c_runtime": {
        "en": "Outside PyTorch (CUDA context, NCCL)",
        "ja": "PyTorch外（CUDAコンテキスト、NCCL）",
    },
    "c_workspace": {
        "en": "Library workspaces (cuBLAS, attention)",
        "ja": "ライブラリ作業領域（cuBLAS、attention）",
    },
    "c_in_flight": {"en": "Collective buffers in flight", "ja": "通信中の集団通信バッファ"},
    "c_allocator_slack": {
        "en": "Allocator slack (reserved, unused)",
        "ja": "アロケータの余剰（予約済み・未使用）",
    },
    # methods
    "m_single": {"en": "Single GPU", "ja": "単一GPU"},
    "m_cdp": {"en": "CDP (DDP)", "ja": "CDP（DDP）"},
    "m_adp": {"en": "ADP (ZeRO-3/FSDP)", "ja": "ADP（ZeRO-3/FSDP）"},
    "m_tp": {"en": "TP ×{tp}", "ja": "TP ×{tp}"},
    "m_dp+tp": {"en": "DP+TP {dp}×{tp}", "ja": "DP+TP {dp}×{tp}"},
    "m_dp+tp_none": {"en": "DP+TP (no layout)", "ja": "DP+TP（構成なし）"},
    "m_zero1": {"en": "ZeRO-1 (DeepSpeed)", "ja": "ZeRO-1（DeepSpeed）"},
    "m_zero2": {"en": "ZeRO-2 (DeepSpeed)", "ja": "ZeRO-2（DeepSpeed）"},
    "short_single": {"en": "1 GPU", "ja": "単一GPU"},
    "aka_cdp": {"en": "DDP", "ja": "DDP"},
    "aka_adp": {"en": "ZeRO-3/FSDP", "ja": "ZeRO-3/FSDP"},
    "aka_zero1": {"en": "DeepSpeed", "ja": "DeepSpeed"},
    "aka_zero2": {"en": "DeepSpeed", "ja": "DeepSpeed"},
    # tables
    "t_method": {"en": "Method", "ja": "方法"},
    "t_peak_batch": {"en": "Peak at your batch", "ja": "指定バッチでのピーク"},
    "t_fits": {"en": "Fits", "ja": "収まる"},
    "t_max_batch": {"en": "Largest batch", "ja": "最大バッチ"},
    "t_samples": {"en": "Samples per step", "ja": "1ステップのサンプル数"},
    "t_score": {"en": "Score", "ja": "スコア"},
    "t_peak_max": {"en": "Peak at largest batch", "ja": "最大バッチでのピーク"},
    "t_choice": {"en": "Choice", "ja": "選択"},
    "t_note": {"en": "Why not applicable", "ja": "使えない理由"},
    "not_applicable": {"en": "not applicable", "ja": "適用不可"},
    "t_term": {"en": "Term", "ja": "項"},
    "t_formula": {"en": "Formula", "ja": "式"},
    "t_value": {"en": "Value", "ja": "値"},
    "t_source": {"en": "Source", "ja": "出典"},
    "t_part": {"en": "Part", "ja": "区分"},
    "yes": {"en": "yes", "ja": "はい"},
    "no": {"en": "no", "ja": "いいえ"},
    "reason": {
        "en": "Why: {method} has the highest score ({score}): batch {batch} per replica, "
        "{samples} samples per step.",
        "ja": "理由：{method}のスコア（{score}）が最も高いため。"
        "レプリカあたりバッチ{batch}、1ステップ{samples}サンプル。",
    },
    # assumptions
    "a_profile": {
        "en": "Profile **{profile}**: {desc}",
        "ja": "プロファイル **{profile}**：{desc}",
    },
    "profile_paper": {
        "en": "LLMem's equations for Colossal-AI Gemini: fp16/bf16 mixed precision "
        "with gradient checkpointing (the paper's setting); every term is "
        "summed as if all coexist (peak in the backward pass).",
        "ja": "Colossal-AI Gemini向けのLLMemの式。fp16/bf16混合精度・勾配チェック"
        "ポイントあり（論文の設定）。すべての項が同時に存在するとして合計します"
        "（ピークは逆伝播）。",
    },
    "profile_pytorch": {
        "en": "eager PyTorch + Hugging Face transformers, checked against PyTorch measurements.",
        "ja": "eager PyTorch＋Hugging Face transformers。PyTorchの実測と照合。",
    },
    "a_band": {
        "en": "Range: from the least the step needs less {over} to the device figure plus "
        "{under}, the largest errors measured against published real-GPU figures ({source}).",
        "ja": "範囲：ステップに最低限必要な量から{over}を引いた値から、デバイスの値に{under}を"
        "足した値まで。公開された実GPUの測定値に対する最大誤差です（{source}）。",
    },
    "a_levels": {
        "en": "What a GPU would show: allocated {allocated} (torch.cuda.max_memory_allocated), "
        "reserved {reserved} (max_memory_reserved), device {device} (nvidia-smi); the least "
        "it runs in {need}.",
        "ja": "GPUでの見え方：確保済み {allocated}（torch.cuda.max_memory_allocated）、"
        "予約 {reserved}（max_memory_reserved）、デバイス {device}（nvidia-smi）。"
        "最低限必要な量 {need}。",
    },
    "a_band_missing": {
        "en": "Uncertainty: this profile's accuracy has not been measured yet; no band is drawn.",
        "ja": "不確かさ：このプロファイルの精度はまだ測定されていないため、誤差範囲は描きません。",
    },
    "a_runtime": {
        "en": "Runtime terms: CUDA context {context}, allocator slack {slack}, chunk size {chunk}.",
        "ja": "ランタイム項：CUDAコンテキスト {context}、アロケータの余剰 {slack}、"
        "チャンクサイズ {chunk}。",
    },
    "a_default": {"en": "profile default", "ja": "既定値"},
    "a_replayed": {
        "en": "from replays of recorded allocation traces",
        "ja": "記録した割り当てトレースの再生から",
    },
    "a_searched": {"en": "searched as Gemini does", "ja": "Geminiと同様に探索"},
    "a_not_included": {"en": "Not included in the estimate", "ja": "見積もりに含まれないもの"},
    "a_exclusions": {
        "en": "Memory used by other processes on the GPU (display, monitoring, "
        "other jobs)|CPU offloading, LoRA/QLoRA, gradient accumulation and "
        "pipeline parallelism|Runtimes other than the chosen profile (e.g. "
        "DeepSpeed, Megatron) and their communication buffers|Host (CPU) "
        "memory, disk and data loading|In the cost: host servers, networking, "
        "storage, staff, spot interruptions|Variation between GPUs of one job "
        "(the paper's largest source of multi-GPU error)",
        "ja": "GPU上の他のプロセスが使うメモリ（画面表示、監視、他のジョブ）|"
        "CPUオフロード、LoRA/QLoRA、勾配累積、パイプライン並列|選んだプロファイル"
        "以外のランタイム（DeepSpeed、Megatronなど）とその通信バッファ|"
        "ホスト（CPU）メモリ、ディスク、データ読み込み|コストに含まれないもの："
        "サーバー本体、ネットワーク、ストレージ、人件費、スポットの中断|"
        "同じジョブ内のGPU間のばらつき"
        "（論文でのマルチGPU誤差の最大要因）",
    },
    "a_notes": {"en": "Notes from the estimator", "ja": "見積もりの注記"},
    # your measured runs (issue #11, runs_view.py)
    "runs_intro": {
        "en": "Runs measured on your GPUs (`llmem measure --json`, `llmem_core.record`, or an "
        "llmem-run/1 file) calibrate every estimate for that GPU type.",
        "ja": "あなたの GPU で実測したラン（`llmem measure --json`、`llmem_core.record`、"
        "llmem-run/1 ファイル）が、その GPU 種別のすべての見積もりを補正します。",
    },
    "runs_store": {"en": "Store: {path}", "ja": "保存先: {path}"},
    "runs_upload": {"en": "Run files (JSON)", "ja": "ランファイル（JSON）"},
    "runs_valid": {"en": "{n} run(s) valid, not stored yet.", "ja": "{n} 件は有効です（未保存）。"},
    "runs_add": {"en": "Store these runs", "ja": "このランを保存"},
    "runs_added": {"en": "Stored as run(s) {ids}.", "ja": "ラン {ids} として保存しました。"},
    "runs_bad": {
        "en": "Nothing stored. {name}: {field}: {message}",
        "ja": "保存していません。{name}: {field}: {message}",
    },
    "runs_none": {"en": "No runs stored yet.", "ja": "保存されたランはまだありません。"},
    "runs_store_error": {
        "en": "The run store cannot be used: {message}",
        "ja": "ランの保存先を使えません: {message}",
    },
    "runs_calibrated": {
        "en": "Calibrated on {runs} measured run(s) of {gpu} ({family}): {level} × {a}, "
        "outside PyTorch {b}, largest residual {residual} %.",
        "ja": "{gpu}（{family}）の実測 {runs} 件で補正: {level} × {a}、PyTorch 外 {b}、"
        "最大残差 {residual} %。",
    },
    "runs_model_b": {"en": "the model's", "ja": "モデルの値"},
    "runs_uncalibrated": {
        "en": "Not calibrated: no measured runs of this GPU type are stored.",
        "ja": "未補正: この GPU 種別の実測ランは保存されていません。",
    },
    "runs_off": {"en": "Calibration off.", "ja": "補正はオフです。"},
    "runs_refused": {"en": "Not calibrated: {message}", "ja": "未補正: {message}"},
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


# Currency symbols: before the number in English, a word after it in Japanese (the way each
# language writes prices); other ISO codes are written as the code.
CURRENCY_MARKS = {
    "USD": ("$", "ドル"),
    "JPY": ("¥", "円"),
    "EUR": ("€", "ユーロ"),
    "GBP": ("£", "ポンド"),
    "CNY": ("CN¥", "元"),
    "KRW": ("₩", "ウォン"),
}
WHOLE_UNITS = {"JPY", "KRW"}  # currencies priced without decimals
# From 10⁶ (10⁴ when compact: cards, chart ticks), amounts in 万 (10⁴) or 億 (10⁸).
JA_MAGNITUDES = ((10**8, "億", 1), (10**6, "万", 0))


def _amount(amount: float, code: str, compact: bool = False) -> str:
    if 0 < amount < 0.01:
        return f"{amount:.2g}"
    digits = 0 if code in WHOLE_UNITS or amount >= (10 if compact else 100) else 2
    return f"{amount:,.{digits}f}"


def _money_parts(
    amount: float, code: str, lang: Lang, compact: bool = False
) -> tuple[str, str, str]:
    """(number, magnitude word, unit) — "3,600", "万", "円" for 36,000,000 yen in Japanese."""
    if lang == "ja":
        unit = CURRENCY_MARKS.get(code, ("", f" {code}"))[1]
        for size, word, digits in JA_MAGNITUDES:
            if amount >= (10**4 if compact and word == "万" else size):
                scale = size if word == "億" else 10**4
                return (
                    f"{amount / scale:,.{digits if amount >= size else 1}f}".removesuffix(".0"),
                    word,
                    unit,
                )
        return _amount(amount, code, compact), "", unit
    return _amount(amount, code, compact), "", CURRENCY_MARKS.get(code, (f"{code} ", ""))[0]


def fmt_money(amount: float | None, code: str, lang: Lang, compact: bool = False) -> str:
    """$12,345 · ¥1,500,000 in English; 12,345ドル · 150万円 in Japanese; "no price" if None.
    compact: no cents from 10 up (headline cards)."""
    if amount is None:
        return t(lang, "no_price")
    number, word, unit = _money_parts(amount, code, lang, compact)
    return f"{number}{word}{unit}" if lang == "ja" else f"{unit}{number}"


def fmt_money_range(
    low: float | None, high: float | None, code: str, lang: Lang, compact: bool = False
) -> str:
    """$1.72 – $20.28 in English; 1.72〜20.28ドル in Japanese (the unit once, when shared)."""
    if low is None or high is None:
        return t(lang, "no_price")
    lo_text, hi_text = fmt_money(low, code, lang, compact), fmt_money(high, code, lang, compact)
    if lo_text == hi_text:
        return lo_text
    if lang == "ja":
        lo, hi = _money_parts(low, code, lang, compact), _money_parts(high, code, lang, compact)
        return f"{lo[0]}〜{hi_text}" if lo[1:] == hi[1:] else f"{lo_text}〜{hi_text}"
    return f"{lo_text} – {hi_text}"


def fmt_hours(hours: float, lang: Lang) -> str:
    """A run's length: minutes below an hour, hours below two days, days beyond."""
    if hours < 1:
        return t(lang, "u_minutes", n=f"{hours * 60:,.0f}")
    if hours < 48:
        return t(lang, "u_hours", n=f"{hours:,.1f}")
    return t(lang, "u_days", n=f"{hours / 24:,.1f}")


def fmt_count(x: float) -> str:
    """Runs and months: whole numbers from 10 up, one decimal below."""
    return f"{x:,.0f}" if x >= 10 else f"{x:,.1f}"


def fmt_break_even(
    status: str,
    runs: float | None,
    months: float | None,
    within: bool | None,
    years: float,
    lang: Lang,
) -> str:
    """When buying beats renting: "198 runs · 6.3 months", "never" or "no price"."""
    if status == "never":
        return t(lang, "be_never")
    if status != "ok" or runs is None or months is None:
        return t(lang, "no_price")
    text = t(lang, "be_ok", runs=fmt_count(runs), months=fmt_count(months))
    return text if within else text + PAST_LIFE


PAST_LIFE = " †"  # pays off only after the amortisation period (explained under the table)


def fmt_break_even_range(
    soonest: BreakEven, latest: BreakEven, years: float, lang: Lang, short: bool = True
) -> str:
    """Break-even over a range of rents, as the core gave it: `soonest` against the dearest
    listing, `latest` against the cheapest. "851–4,014 runs (8.5–40 mo.)"; one figure when
    both read the same; "… ; never at the cheapest" when only the dearest pays off."""
    if soonest.status != "ok" or soonest.runs is None or soonest.months is None:
        return fmt_break_even(soonest.status.value, None, None, None, years, lang)
    runs, months = fmt_count(soonest.runs), fmt_count(soonest.months)
    if latest.status != "ok" or latest.runs is None or latest.months is None:
        key = "be_range_short_never" if short else "be_range_never"
        return t(lang, key, runs=runs, months=months)
    late_runs, late_months = fmt_count(latest.runs), fmt_count(latest.months)
    if (runs, months) == (late_runs, late_months):
        text = t(lang, "be_ok" if short else "be_one", runs=runs, months=months)
    else:
        text = t(
            lang,
            "be_range_short" if short else "be_range",
            runs_high=runs,
            runs_low=late_runs,
            months_high=months,
            months_low=late_months,
        )
    return text if latest.within_amortisation or not short else text + PAST_LIFE


def method_label(method: Method, num_gpus: int, lang: Lang) -> str:
    """A method with its layout: "TP ×4", "DP+TP 4×2" (the degree the core resolves)."""
    kind = method.kind
    if kind == MethodKind.TP:
        return t(lang, "m_tp", tp=method.tp or num_gpus)
    if kind == MethodKind.DP_TP:
        try:
            tp = dp_tp_degree(num_gpus, method.tp)
        except InputError:  # no dp+tp layout on this many GPUs
            return t(lang, "m_dp+tp_none")
        return t(lang, "m_dp+tp", dp=num_gpus // tp, tp=tp)
    return t(lang, f"m_{kind.value}")


def method_short(method: Method, num_gpus: int, lang: Lang) -> tuple[str, str]:
    """(short name, what it is also called) for tight places: ("ADP", "ZeRO-3/FSDP")."""
    kind = method.kind
    if kind in (MethodKind.CDP, MethodKind.ADP):
        return kind.value.upper(), t(lang, f"aka_{kind.value}")
    if kind in (MethodKind.ZERO1, MethodKind.ZERO2):
        return f"ZeRO-{kind.value[-1]}", t(lang, f"aka_{kind.value}")
    if kind == MethodKind.SINGLE:
        return t(lang, "short_single"), ""
    return method_label(method, num_gpus, lang), ""


def component_label(component: str, lang: Lang) -> str:
    return t(lang, f"c_{component}")
