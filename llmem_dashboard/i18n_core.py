"""The core's own texts in Japanese: term names and sources of the assumptions table, the
estimate's notes, the accuracy band's source, a method's refusal, the catalog's price sources.

The core writes them in English (it has no language); here each is matched whole (TEXTS) or by
one of the shapes the core builds it in (RULES: a pattern and a Japanese template whose groups
are the values the core filled in, themselves translated by ITEMS where they are words).
`core_text(text, "ja")` returns the English unchanged when no entry fits, so nothing is lost;
tests/dashboard/test_dashboard_i18n_core.py sweeps the core's plans and fails on any text a
rewording left without its translation.
"""

from __future__ import annotations

import re

from llmem_dashboard import i18n_refusals
from llmem_dashboard.i18n import Lang

# Whole texts: term names, sources, fixed notes and refusals.
TEXTS: dict[str, str] = {
    # notes (issue #13)
    "No LoRA census for this family: full fine-tuning's activations are used.": (
        "この系列のLoRAの計測はありません：フルファインチューニングの活性値を使います。"
    ),
    # term names (pytorch profile)
    "AdamW momentum and variance, + foreach's temporary at the step": (
        "AdamWのモーメンタムと分散、ステップ時のforeachの一時領域"
    ),
    "DDP gradient bucket, FSDP gathered root unit and layer": (
        "DDPの勾配バケット、FSDPで集めたルート単位と層"
    ),
    "V·E weight (+ gradient) and the logits and loss temporaries": (
        "V·Eの重み（＋勾配）とロジット・損失の一時領域"
    ),
    "cuBLAS + cuBLASLt workspaces per (handle, stream); flash attention's backward": (
        "(ハンドル, ストリーム)ごとのcuBLAS＋cuBLASLtワークスペース、flash attentionの逆伝播"
    ),
    "freed collective buffers kept by recordStream until the collective has run": (
        "集団通信が終わるまでrecordStreamが保持する解放済みの通信バッファ"
    ),
    "outside PyTorch: CUDA context + NCCL communicator buffers": (
        "PyTorch外：CUDAコンテキスト＋NCCLコミュニケータのバッファ"
    ),
    "reserved beyond active blocks: segment rounding, splits, per-stream pools": (
        "使用中ブロックを超える予約分：セグメントの丸め、分割、ストリームごとのプール"
    ),
    "tensors autograd keeps for backward (census recipe per family)": (
        "autogradが逆伝播のために保持するテンソル（系列ごとの計測レシピ）"
    ),
    "weights (+ gradients after backward) of every parameter but V·E": (
        "V·E以外の全パラメータの重み（＋逆伝播後の勾配）"
    ),
    # term names (paper profile: the paper's symbols kept)
    "fp16 parameters gathered beyond the shard + TP backward all-gather": (
        "シャードを超えて集めたfp16パラメータ＋TP逆伝播のall-gather"
    ),
    "m_base: memory in use before the model's chunks (measured in the paper)": (
        "m_base：モデルのチャンク以前に使用中のメモリ（論文での実測）"
    ),
    "m_lm: logits, two shifted copies, lm_p (last walked parameter, fp16)": (
        "m_lm：ロジット、シフトした2つのコピー、lm_p（最後に走査したパラメータ、fp16）"
    ),
    "m_os: Adam momentum and variance, fp32, per Embedding/Linear parameter": (
        "m_os：Embedding/Linearパラメータごとのfp32のAdamモーメンタムと分散"
    ),
    "m_out: block-boundary tensors kept by gradient checkpointing, probe token ids": (
        "m_out：勾配チェックポイントが保持するブロック境界のテンソル、プローブのトークンID"
    ),
    "m_p: Gemini's fp16 (+ grads in place) and fp32 chunks held per GPU, and buffers": (
        "m_p：GPUごとに保持するGeminiのfp16（＋その場の勾配）とfp32のチャンク、バッファ"
    ),
    # sources written in words (citations of papers and files stay as written)
    "heuristics from published measurements: components/runtime.py": (
        "公開された実測値からの経験則：components/runtime.py"
    ),
    "llmem pytorch profile (checked against fake-CUDA PyTorch fixtures)": (
        "llmemのpytorchプロファイル（疑似CUDAでのPyTorch計測と照合済み）"
    ),
    "c10/cuda/CUDACachingAllocator.cpp (model: llmem_core/allocator)": (
        "c10/cuda/CUDACachingAllocator.cpp（モデル：llmem_core/allocator）"
    ),
    # notes
    "LoRA under TP: adapters assumed sliced with their base layers.": (
        "TP下のLoRA：アダプタは元の層と同じく分割されると仮定。"
    ),
    "Mixture of experts: activations assume tokens spread evenly over experts.": (
        "混合エキスパート：活性化はトークンがエキスパートに均等に分かれると仮定。"
    ),
    "Several GPUs: DDP, FSDP2 and DTensor TP layouts checked against rank-0 references "
    "measured with a fake process group (NCCL's own buffers not included); the estimate is "
    "for the most loaded rank.": (
        "複数GPU：DDP・FSDP2・DTensor TPの配置は、疑似プロセスグループで計測したランク0の"
        "参照値と照合済み（NCCL自身のバッファは含まない）。見積もりは最も負荷の高いランクの値です。"
    ),
    "The paper profile follows the LLMem authors' code for Colossal-AI Gemini (2023), not "
    "eager PyTorch.": (
        "paperプロファイルは、eagerなPyTorchではなく、LLMem著者によるColossal-AI Gemini"
        "（2023）向けのコードに従います。"
    ),
    "m_base is measured on the machine in the paper (it prints no value): set "
    "--cuda-context-mib to yours; the default is llmem's 512 MiB heuristic.": (
        "m_baseは論文の計算機での実測値です（値は記載なし）。自分の環境の値を"
        "--cuda-context-mibに設定してください。既定値はllmemの経験則512 MiBです。"
    ),
    "LLMem (Kim et al., IJCAI 2024) §5: single GPU 0.4-1.6 %, nvidia-smi on V100": (
        "LLMem（Kim et al., IJCAI 2024）§5：GPU 1台で0.4〜1.6 %、V100のnvidia-smiで"
    ),
    "LLMem (Kim et al., IJCAI 2024) §5: ADP 0.8-6 %, TP and DP+TP -1.6 ... +7.4 % on 4 x V100": (
        "LLMem（Kim et al., IJCAI 2024）§5：V100 4台でADP 0.8〜6 %、TPとDP+TP −1.6〜+7.4 %"
    ),
    # refusals
    "profile paper assumes it on (the paper's setting); use profile pytorch for "
    "checkpointing off": (
        "paperプロファイルはオンを前提とします（論文の設定）。オフにするには"
        "pytorchプロファイルを使ってください"
    ),
    "profile paper models AdamW only; use profile pytorch": (
        "paperプロファイルはAdamWのみ扱います。pytorchプロファイルを使ってください"
    ),
    "profile paper models full fine-tuning only; use profile pytorch": (
        "paperプロファイルはフルファインチューニングのみ扱います。pytorchプロファイルを"
        "使ってください"
    ),
    "profile paper models the standard loss only; use profile pytorch": (
        "paperプロファイルは標準の損失のみ扱います。pytorchプロファイルを使ってください"
    ),
    "offload: DeepSpeed offloads parameters at ZeRO-3 only (offload_param): use adp": (
        "オフロード：DeepSpeedがパラメータをオフロードするのはZeRO-3のみ（offload_param）。"
        "adpを使ってください"
    ),
    "offload: FSDP2's CPUOffloadPolicy moves parameters, gradients and optimizer states "
    "together (optimizer+params); optimizer alone is DeepSpeed's (zero3_engine deepspeed)": (
        "オフロード：FSDP2のCPUOffloadPolicyはパラメータ・勾配・オプティマイザ状態を一緒に"
        "移します（optimizer+params）。オプティマイザのみはDeepSpeedの機能です"
        "（zero3_engine deepspeed）"
    ),
    "LLMem (Kim et al., IJCAI 2024) §3; github.com/taehokim20/LLMem@3d289b4 (measured in "
    "its m_base), colossalai/zero/gemini/chunk": (
        "LLMem（Kim et al., IJCAI 2024）§3、github.com/taehokim20/LLMem@3d289b4（そのm_base"
        "で実測）、colossalai/zero/gemini/chunk"
    ),
    # price sources that are words
    "not found in corpus": "資料に見当たらず",
    # refusals: InputError messages and their parts (issue #14)
    **i18n_refusals.TEXTS,
}

# Words the core fills into its sentences (lists of formula-only features, kernels).
ITEMS: dict[str, str] = {
    "QLoRA (bitsandbytes NF4 kernels)": "QLoRA（bitsandbytesのNF4カーネル）",
    "adamw-8bit (bitsandbytes)": "adamw-8bit（bitsandbytes）",
    "zero1 (DeepSpeed's engine)": "zero1（DeepSpeedのエンジン）",
    "zero2 (DeepSpeed's engine)": "zero2（DeepSpeedのエンジン）",
    "optimizer offload (DeepSpeed)": "オプティマイザのオフロード（DeepSpeed）",
    "LoRA under tensor parallelism": "テンソル並列下のLoRA",
    "flash": "flash",
    "math": "math",
    "memory-efficient": "memory-efficient",
    "whole": "分割なし",
    "÷ GPUs": "÷ GPU数",
}


def _items(text: str) -> str:
    """A '; '-separated list of the core's words, each translated."""
    return "、".join(ITEMS.get(part, part) for part in text.split("; "))


# (the core's sentence shape, its Japanese; {n} = group n as is, {n!i} = group n's words by
# ITEMS, {n!t} = group n by every entry here, the rule not applying if it has none)
RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), template)
    for pattern, template in (
        (
            r"^Attention kernel a GPU takes here: ([\w-]+)\.$",
            "GPUがここで使うアテンションカーネル：{1}。",
        ),
        (
            r"^Attention kernel a GPU takes here: math\. torch ([\d.]+) has no memory-efficient "
            r"kernel for grouped-query heads in fp32, so it keeps the S×S probabilities: about "
            r"([\d.,]+ GiB) more than estimated \(the references use the memory-efficient "
            r"kernel\); use amp-bf16 or bf16 for flash\.$",
            "GPUがここで使うアテンションカーネル：math。torch {1}にはfp32のグループ化クエリ"
            "向けのmemory-efficientカーネルがなく、S×Sの確率を保持するため、見積もりより約"
            "{2}多くなります（参照値はmemory-efficientカーネル）。flashにはamp-bf16かbf16を"
            "使ってください。",
        ),
        (
            r"^Formula only \(from the engines' source, not measured here; wider band\): (.+)\.$",
            "式のみ（エンジンのソースに基づき、ここでは未測定のため幅は広め）：{1!i}。",
        ),
        (
            r"^formula only \(source-cited, not measured\): (.+)$",
            "式のみ（出典あり、未測定）：{1!i}",
        ),
        (
            r"^DeepSpeed ZeRO-([12]): 16-bit weights on every GPU, fp32 master and optimizer "
            r"states ÷ GPUs, gradients (whole|÷ GPUs); reduce bucket ([\d,]+) elements "
            r"\(allocated whole\)\.$",
            "DeepSpeed ZeRO-{1}：16ビットの重みは全GPUに、fp32のマスターとオプティマイザ状態は"
            "÷ GPU数、勾配は{2!i}。reduceバケットは{3}要素（一括確保）。",
        ),
        (
            r"^(LORA|QLORA): frozen base, adapters \(r=(\d+), ([\w-]+)\) with fp32 weights, "
            r"gradients and optimizer states, as peft keeps them; kept activations from the "
            r"LoRA census \(fit_lora_recipes\.py\)\.$",
            "{1}：元の重みは固定、アダプタ（r={2}、{3}）はpeftと同じくfp32の重み・勾配・"
            "オプティマイザ状態。保持する活性化はLoRAの計測から（fit_lora_recipes.py）。",
        ),
        (
            r"^QLoRA: decoder linears in NF4 with double-quantised absmax \(bitsandbytes "
            r"Params4bit: ([\d.]+) bytes per weight\); embeddings, norms and lm_head in the "
            r"precision's parameter dtype \(prepare_model_for_kbit_training upcasts them to "
            r"fp32: choose amp-bf16\); one linear dequantised at a time\.$",
            "QLoRA：デコーダの線形層はabsmaxを二重量子化したNF4（bitsandbytes Params4bit："
            "重みあたり{1}バイト）。埋め込み・正規化・lm_headは精度のパラメータ型"
            "（prepare_model_for_kbit_trainingはfp32に上げるのでamp-bf16を選択）。"
            "逆量子化は一度に1層。",
        ),
        (
            r"^Offload (optimizer|optimizer\+params): host_bytes is the CPU memory per node "
            r"\(up to 8 ranks\) for the offloaded states, pinned; DeepSpeed's own estimator "
            r"adds 1\.5× for loading the model \(additional_buffer_factor\)\.$",
            "{1}のオフロード：host_bytesは、オフロードした状態のためのノード（最大8ランク）"
            "あたりのCPUメモリ（ピン留め）。DeepSpeed自身の見積もりはモデルの読み込み用に"
            "1.5倍を加えます（additional_buffer_factor）。",
        ),
        (
            r"^(\d+) published real-GPU figures? \(([^)]+)\): largest under-estimate ([\d.]+%), "
            r"over-estimate ([\d.]+%); band at least the fake-device gate ±(\d+%) \(([^)]+)\)$",
            "公開された実GPUの値{1}件（{2}）：過小見積もりは最大{3}、過大見積もりは最大{4}。"
            "幅は少なくとも疑似デバイスの基準±{5}（{6}）",
        ),
        (
            r"^method: profile paper does not model (\w+); use profile pytorch$",
            "方法：paperプロファイルは{1}を扱いません。pytorchプロファイルを使ってください",
        ),
        (
            r"^(?:offload: )?needs method zero1, zero2 or adp \(their engines offload\); "
            r"got (\S+)$",
            "オフロードにはzero1・zero2・adpのいずれかが必要です（そのエンジンがオフロード"
            "します）。指定は{1}",
        ),
        (
            r"^profile paper models amp-fp16 or amp-bf16 only \(got (\S+)\); use profile pytorch$",
            "paperプロファイルはamp-fp16とamp-bf16のみ扱います（指定は{1}）。pytorch"
            "プロファイルを使ってください",
        ),
        (
            r"^'(\w+)' adapts no linear of (.+)'s decoder layers$",
            "「{1}」は{2}のデコーダ層のどの線形層にも当てはまりません",
        ),
        # issue #13: mixture of experts, quantised checkpoints, stand-in recipes
        (
            r"^Mixture of experts: every expert's weights, gradients and optimizer states "
            r"\((\d+) per layer\) are held; activations assume the (\d+) experts of each token "
            r"spread evenly \(balanced routing\)\.$",
            "混合エキスパート：全エキスパート（層あたり{1}個）の重み・勾配・オプティマイザ状態を"
            "保持します。活性値は各トークンの{2}個のエキスパートが均等に割り振られると仮定します"
            "（均等ルーティング）。",
        ),
        (
            r"^Mixture of experts: every expert's weights, gradients and optimizer states "
            r"\((\d+) per layer\) are held; activations assume the (\d+) experts of each token "
            r"spread evenly \(balanced routing\); the (\d+) dense first layers keep the MoE "
            r"recipe's tensors at the dense width, without routing\.$",
            "混合エキスパート：全エキスパート（層あたり{1}個）の重み・勾配・オプティマイザ状態を"
            "保持します。活性値は各トークンの{2}個のエキスパートが均等に割り振られると仮定します"
            "（均等ルーティング）。先頭の密な{3}層はMoEレシピのテンソルを密な幅で、"
            "ルーティングなしで保持します。",
        ),
        (
            r"^The published checkpoint stores weights in (\w+); fine-tuning dequantises them "
            r"\(transformers loads gpt-oss with Mxfp4Config\(dequantize=True\) for training\), "
            r"so the estimate assumes the weights in ([\w-]+)'s parameter dtype\.$",
            "公開チェックポイントの重みは{1}形式です。ファインチューニングでは逆量子化されるため"
            "（transformersは学習時にgpt-ossをMxfp4Config(dequantize=True)で読み込みます）、"
            "見積もりは重みを{2}のパラメータ型と仮定します。",
        ),
        (
            r"^The published checkpoint stores weights in (\w+); fine-tuning dequantises them "
            r"\(DeepSeek's fp8_cast_bf16\.py converts the FP8 blocks to bf16 first\), so the "
            r"estimate assumes the weights in ([\w-]+)'s parameter dtype\.$",
            "公開チェックポイントの重みは{1}形式です。ファインチューニングでは逆量子化されるため"
            "（DeepSeekのfp8_cast_bf16.pyが先にFP8ブロックをbf16に変換します）、"
            "見積もりは重みを{2}のパラメータ型と仮定します。",
        ),
        (
            r"^No census of (\S+) activations: the (\S+) recipe stands in \(the nearest measured "
            r"family; they differ in (.+)\); formula-only band\.$",
            "{1}の活性値の計測はありません：最も近い計測済みの系列{2}のレシピで代用します"
            "（違い：{3}）。数式のみの幅です。",
        ),
        (
            r"^model_type (\S+) has no reader in llmem: read as a Llama-like decoder with the "
            r"features its config declares \(experts, latent attention, q/k norm, norms, biases, "
            r"windows\); its parameter count is not checked against transformers\.$",
            "model_type {1}にはllmemの読み取り器がありません：設定が宣言する特徴（エキスパート、"
            "潜在アテンション、q/k正規化、正規化、バイアス、窓）を持つLlama型デコーダとして読みます。"
            "パラメータ数はtransformersと照合していません。",
        ),
        # issue #11: calibration to the user's measured runs
        (
            r"^calibrated on (\d+) measured run\(s\) of (\S+) \((\S+)\): (\w+) × ([\d.]+), "
            r"outside PyTorch (.+); largest residual ([\d.]+) %$",
            "{2}（{3}）の実測{1}件で補正：{4} × {5}、PyTorch外 {6}、最大残差 {7} %",
        ),
        (
            r"^calibrated: (\d+) runs on (\S+) \((\S+)\)$",
            "補正済み：{2}（{3}）の実測{1}件",
        ),
        (
            r"^calibration refused, estimate uncalibrated: (.+)$",
            "補正を拒否しました（見積もりは未補正）：{1!t}",
        ),
        *i18n_refusals.RULES,  # last: their field-prefix and "and" shapes are the most general
    )
)

# Sources that are only references (a paper's section and its code's files and lines, files,
# functions, commits): shown as written, in every language.
CITATION = re.compile(r"^LLMem \(Kim et al\., IJCAI 2024\) §\d; github\.com/\S+ [\w.]+ L[\d, L-]+$")
CITATIONS = frozenset(
    {
        "ProcessGroupNCCL.cpp collective; fsdp/_fully_shard/_fsdp_param_group.py",
        "github.com/taehokim20/LLMem@3d289b4 dp_real.py L266-274, L360-363",
        "torch CublasHandlePool.cpp parseChosenWorkspaceSize; flash_api.cpp mha_bwd",
    }
)

_GROUP = re.compile(r"\{(\d+)(![it])?\}")


def _fill(template: str, match: re.Match[str]) -> str | None:
    """The template with the match's groups; None if a {n!t} group has no translation."""
    untranslated = []

    def value(ref: re.Match[str]) -> str:
        text = match.group(int(ref.group(1))) or ""
        if ref.group(2) == "!i":
            return _items(text)
        if ref.group(2) == "!t":
            found = translated(text)
            untranslated.extend([text] if found is None else [])
            return found or ""
        return text

    filled = _GROUP.sub(value, template)
    return None if untranslated else filled


def is_citation(text: str) -> bool:
    """A source that is only a reference, shown as written."""
    return text in CITATIONS or bool(CITATION.match(text))


def translated(text: str) -> str | None:
    """The Japanese of one of the core's texts, or None when no entry fits."""
    if text in TEXTS:
        return TEXTS[text]
    for pattern, template in RULES:
        match = pattern.match(text)
        filled = _fill(template, match) if match else None
        if filled is not None:
            return filled
    return None


def core_text(text: str, lang: Lang) -> str:
    """A core text in the page's language (the English when no translation fits)."""
    if lang == "en":
        return text
    return translated(text) or text
