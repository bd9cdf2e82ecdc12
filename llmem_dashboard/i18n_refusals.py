"""The core's refusals (InputError messages) in Japanese, for i18n_core (issue #14).

A refusal is built from parts: a field prefix ("tp: …", "config.json: …"), a sentence shape
("must be {allowed} (got {value})") and the allowed range in words (validation.allowed: "a
whole number from 1 to 4,096", "one of …", "true or false"). So the rules here are shapes whose
groups are translated again ({n!t}: the group through every rule, the whole refusal left
untranslated if a part has no rule), down to the range words. Field names, values, model names
and the user's own text stay as written; numbers are kept as the core formatted them.
tests/dashboard/test_dashboard_i18n_refusals.py provokes every refusal the page can reach.
"""

from __future__ import annotations

# json's own decoder messages (Lib/json/decoder.py, Modules/_json.c), inside "not valid JSON".
JSON_MESSAGES: dict[str, str] = {
    "Expecting value": "値がありません",
    "Expecting ',' delimiter": "区切りの「,」がありません",
    "Expecting ':' delimiter": "区切りの「:」がありません",
    "Expecting property name enclosed in double quotes": "二重引用符で囲んだキーがありません",
    "Unterminated string starting at": "文字列が閉じていません",
    "Invalid control character at": "不正な制御文字があります",
    "Invalid \\escape": "不正なエスケープがあります",
    "Invalid \\uXXXX escape": "不正な\\uXXXXエスケープがあります",
    "Extra data": "余分なデータがあります",
    "Illegal trailing comma before end of object": "オブジェクトの末尾に余分な「,」があります",
    "Illegal trailing comma before end of array": "配列の末尾に余分な「,」があります",
}

WHAT_TO_DO_JA = "プリセット（`llmem models`）かローカルのconfig.jsonのパスを指定してください"

TEXTS: dict[str, str] = {
    # request.py, spec.py: refusals of a plan (the field is the widget's)
    "DeepSpeed offloads parameters at ZeRO-3 only (offload_param): use adp": (
        "DeepSpeedがパラメータをオフロードするのはZeRO-3のみ（offload_param）。adpを使ってください"
    ),
    "FSDP2's CPUOffloadPolicy moves parameters, gradients and optimizer states together "
    "(optimizer+params); optimizer alone is DeepSpeed's (zero3_engine deepspeed)": (
        "FSDP2のCPUOffloadPolicyはパラメータ・勾配・オプティマイザ状態を一緒に移します"
        "（optimizer+params）。オプティマイザのみはDeepSpeedの機能です（zero3_engine deepspeed）"
    ),
    "ZeroRedundancyOptimizer does not offload (use deepspeed)": (
        "ZeroRedundancyOptimizerはオフロードしません（deepspeedを使ってください）"
    ),
    "is FSDP2's (adp with zero3_engine fsdp2, dp+tp)": (
        "FSDP2の設定です（zero3_engine fsdp2のadp、dp+tp）"
    ),
    "give a catalog key (`llmem catalog`) or gpu_memory_mib": (
        "カタログのキー（`llmem catalog`）かgpu_memory_mibを指定してください"
    ),
    "must be 0 unless position_embedding is learned": (
        "position_embeddingがlearnedでなければ0である必要があります"
    ),
    # hf_config.py: an uploaded config.json
    "expected a JSON object at the top level": "最上位はJSONオブジェクトである必要があります",
    "moe_layer_freq other than 1 is not modelled": "1以外のmoe_layer_freqは扱いません",
    "qwen3_moe with dense layers (mlp_only_layers, decoder_sparse_step > 1) is not modelled; "
    "give a config where every layer is MoE": (
        "密な層を持つqwen3_moe（mlp_only_layers、decoder_sparse_step > 1）は扱いません。"
        "全層がMoEの設定を指定してください"
    ),
    # the page's own link (state.py)
    "not a model written by this page (compressed JSON in base64url)": (
        "このページが書いたモデルではありません（base64urlの圧縮JSON）"
    ),
    "expected a JSON object": "JSONオブジェクトである必要があります",
    # validation.allowed and state._allowed: the range in words
    "true or false": "trueかfalse",
    "text": "テキスト",
    "a valid value": "有効な値",
    "a JSON object": "JSONオブジェクト",
    "a whole number": "整数",
    "a number": "数値",
    **{en: ja for en, ja in JSON_MESSAGES.items()},
}

# (pattern, template): {n} = group n as written, {n!t} = group n translated by every rule.
RULES: tuple[tuple[str, str], ...] = (
    # parallelism.py
    (
        r"^must divide num_gpus \(([\d,]+)\); got ([\d,]+)$",
        "num_gpus（{1}）を割り切る必要があります（指定値：{2}）",
    ),
    (
        r"^dp\+tp needs a GPU count with a divisor from 2 to half of it; ([\d,]+) has none "
        r"\(use tp or adp\)$",
        "dp+tpには2からその半分までの約数を持つGPU数が必要です。{1}にはありません"
        "（tpかadpを使ってください）",
    ),
    (
        r"^dp\+tp on ([\d,]+) GPUs needs a divisor from 2 to ([\d,]+) \(([^)]*)\); got ([\d,]+) "
        r"\(1 is adp, ([\d,]+) is tp\)$",
        "GPU {1}台のdp+tpには2〜{2}の約数（{3}）が必要です（指定値：{4}。1はadp、{5}はtp）",
    ),
    (
        r"^single runs on one GPU, but num_gpus is ([\d,]+); use cdp, adp, tp or dp\+tp$",
        "singleはGPU 1台で動きますが、num_gpusは{1}です。cdp・adp・tp・dp+tpのいずれかを"
        "使ってください",
    ),
    (
        r"^applies to tp and dp\+tp only; (\S+) has no tensor parallelism \(got ([\d,]+)\)$",
        "tpとdp+tpにのみ使えます。{1}にはテンソル並列がありません（指定値：{2}）",
    ),
    (
        r"^profile (\w+) does not model (\S+); use profile pytorch$",
        "{1}プロファイルは{2}を扱いません。pytorchプロファイルを使ってください",
    ),
    (r"^must be 1 on one GPU \(got ([\d,]+)\)$", "GPU 1台では1である必要があります（指定値：{1}）"),
    (
        r"^method tp spans all ([\d,]+) GPUs \(tp ([\d,]+)\); got ([\d,]+); use dp\+tp for a "
        r"smaller degree$",
        "tp方式は全{1}台のGPUにまたがります（tp {2}）。指定値は{3}です。より小さい次数には"
        "dp+tpを使ってください",
    ),
    (
        r"^degree ([\d,]+) must divide the model's ([\d,]+) attention heads$",
        "次数{1}はモデルのアテンションヘッド数{2}を割り切る必要があります",
    ),
    (
        r"^degree ([\d,]+) must divide the model's (\w+) \(([\d,]+)\): the paper's tensor "
        r"parallelism splits every Linear's input and every Embedding's width$",
        "次数{1}はモデルの{2}（{3}）を割り切る必要があります：論文のテンソル並列は全Linearの"
        "入力と全Embeddingの幅を分割します",
    ),
    # request.py
    (
        r"^must be at most ([\d,]+), the size of (.+)'s learned position table "
        r"\(got ([\d,]+)\)$",
        "{2}の学習済み位置テーブルの大きさ{1}以下である必要があります（指定値：{3}）",
    ),
    (
        r"^profile (\w+) models (\S+) or (\S+) only \(got (\S+)\); use profile pytorch$",
        "{1}プロファイルは{2}と{3}のみ扱います（指定値：{4}）。pytorchプロファイルを使ってください",
    ),
    (
        r"^torch applies to zero1 only \(ZeroRedundancyOptimizer\); got method (\S+)$",
        "torchはzero1にのみ使えます（ZeroRedundancyOptimizer）。指定された方式：{1}",
    ),
    (r"^applies to adp only \(got method (\S+)\)$", "adpにのみ使えます（指定された方式：{1}）"),
    (
        r"^profile (\w+) models Colossal-AI Gemini for adp$",
        "{1}プロファイルはadpをColossal-AI Geminiとして扱います",
    ),
    (
        r"^LoRA on the MLP of a mixture of experts \((.+)\) is not modelled yet \(peft adapts "
        r"the experts' 3-D parameters too\); give attn or attention module names$",
        "混合エキスパート（{1}）のMLPへのLoRAはまだ扱いません（peftはエキスパートの3次元"
        "パラメータにも適用します）。attnかアテンションのモジュール名を指定してください",
    ),
    (
        r"^(.+) is not a linear llmem knows; give attn, all-linear or a comma list of (.+)$",
        "{1}はllmemが知る線形層ではありません。attn、all-linear、または{2}のカンマ区切りを"
        "指定してください",
    ),
    (r"^at most ([\d,]+) characters$", "{1}文字以内です"),
    (
        r"^profile (\w+) is not available in this version yet$",
        "{1}プロファイルはこの版ではまだ使えません",
    ),
    # models.py (an uploaded or linked architecture)
    (
        r"^must divide num_attention_heads \(([\d,]+)\); got ([\d,]+)$",
        "num_attention_heads（{1}）を割り切る必要があります（指定値：{2}）",
    ),
    (
        r"^must be at most (num_experts|num_layers) \(([\d,]+)\); got ([\d,]+)$",
        "{1}（{2}）以下である必要があります（指定値：{3}）",
    ),
    (
        r"^must exceed position_offset \(([\d,]+)\); got ([\d,]+)$",
        "position_offset（{1}）より大きい必要があります（指定値：{2}）",
    ),
    # cost (a link's cost parameters)
    (r"^must be 1 for USD \(got (\S+)\)$", "USDでは1である必要があります（指定値：{1}）"),
    (
        r"^give the exchange rate for (\w+) \(units per USD, above 0\)$",
        "{1}の為替レート（1 USDあたりの単位数、0より大きい）を指定してください",
    ),
    (  # money.py: an edited low price against the catalog's high one (units after it)
        r"^must be at most the on-demand high price \(([^ )]+) (\w+) per GPU-hour\); "
        r"got (\S+)$",
        "オンデマンドの高い方の価格（GPU時間あたり{1} {2}）以下である必要があります（指定値：{3}）",
    ),
    (
        r"^must be at most the cloud high price \(([^ )]+) (\w+) per GPU-hour\); got (\S+)$",
        "クラウドの高い方の価格（GPU時間あたり{1} {2}）以下である必要があります（指定値：{3}）",
    ),
    (
        r"^(\S+) has no peak TFLOP/s; give one$",
        "{1}にはピークTFLOP/sがありません。値を指定してください",
    ),
    (
        r"^must be at most the (?:cloud )?high price \(([^)]+)\); got (\S+)$",
        "高い方の価格（{1}）以下である必要があります（指定値：{2}）",
    ),
    # hf_config.py
    (r"^missing field (.+)$", "フィールド{1}がありません"),
    (
        r"^the attention heads \(([\d,]+)\) must divide hidden_size \(([\d,]+)\) unless "
        r"head_dim is given$",
        "head_dimがなければ、アテンションヘッド数（{1}）はhidden_size（{2}）を割り切る"
        "必要があります",
    ),
    (
        r"^model_type must be one of (.+) or the name of another decoder-only family "
        r"\(got (.*)\)$",
        "model_typeは{1}のいずれか、または別のデコーダのみの系列の名前である必要があります"
        "（指定値：{2}）",
    ),
    (
        r"^model_type (.+) is not a family llmem reads and the config (lacks .+|is an "
        r"encoder-decoder), so it is not a decoder-only transformer llmem can read by its "
        r"features; give a preset \(`llmem models`\) or a config of one of (.+)$",
        "model_type {1}はllmemが読む系列ではなく、設定が{2!t}ため、llmemが特徴から読める"
        "デコーダのみのTransformerではありません。プリセット（`llmem models`）か、{3}の"
        "いずれかの設定を指定してください",
    ),
    (r"^lacks (.+)$", "{1}を欠く"),
    (r"^is an encoder-decoder$", "エンコーダ・デコーダである"),
    (r"^a name of 1 to ([\d,]+) characters$", "1〜{1}文字の名前"),
    (r"^a list of ([\d,]+) entries \(one per layer\)$", "{1}項目のリスト（層ごとに1つ）"),
    # safe_json.py
    (
        r"^JSON nested more than (\d+) deep \(([\d,]+) levels\); at most (\d+) levels allowed$",
        "JSONの入れ子が{1}段を超えています（{2}段）。最大{3}段です",
    ),
    (
        r"^JSON nested more than (\d+) deep; at most (\d+) levels allowed$",
        "JSONの入れ子が{1}段を超えています。最大{2}段です",
    ),
    (r"^an integer of ([\d,]+) digits \(at most (\d+)\)$", "{1}桁の整数です（最大{2}桁）"),
    (r"^the number (.+) is too large$", "数値{1}は大きすぎます"),
    (r"^(\S+) is not a number JSON allows$", "{1}はJSONで使える数値ではありません"),
    (r"^not valid JSON \(line ([\d,]+): (.+)\)$", "有効なJSONではありません（{1}行目：{2!t}）"),
    (r"^not UTF-8 text \(byte ([\d,]+)\)$", "UTF-8のテキストではありません（{1}バイト目）"),
    (
        r"^the file is ([\d,]+) bytes; a (\S+) is at most ([\d,]+)$",
        "ファイルは{1}バイトです。{2}は最大{3}バイトです",
    ),
    (
        r"^the text is ([\d,]+) characters; at most ([\d,]+)$",
        "テキストは{1}文字です。最大{2}文字です",
    ),
    (r"^(config\.json|run file): (.+)$", "{1}：{2!t}"),
    # the page's link (state.py)
    (r"^is ([\d,]+) characters; at most ([\d,]+)$", "{1}文字です。最大{2}文字です"),
    (r"^inflates past ([\d,]+) bytes$", "展開すると{1}バイトを超えます"),
    # hub.py (a Hub id)
    (
        r"^(.+) is gated on the Hub: accept its terms on its Hub page, then pass a token "
        r"\(HF_TOKEN or `hf auth login`\); or give a preset .+$",
        "{1}はHubで利用条件付きです：Hubのページで条件に同意し、トークン（HF_TOKENか"
        "`hf auth login`）を渡してください。または" + WHAT_TO_DO_JA,
    ),
    (
        r"^(.+) is not on the Hub \(or is private: pass a token with HF_TOKEN\); check the id, "
        r"or give a preset .+$",
        "{1}はHubにありません（非公開ならHF_TOKENでトークンを渡してください）。idを確かめるか、"
        + WHAT_TO_DO_JA,
    ),
    (
        r"^(.+): (offline \(HF_HUB_OFFLINE\)|the Hub could not be reached) and no cached "
        r"config\.json; connect \(or set HF_ENDPOINT to a mirror\), or give a preset .+$",
        "{1}：{2!t}、キャッシュにconfig.jsonもありません。接続する（またはHF_ENDPOINTに"
        "ミラーを設定する）か、" + WHAT_TO_DO_JA,
    ),
    (r"^offline \(HF_HUB_OFFLINE\)$", "オフライン（HF_HUB_OFFLINE）で"),
    (r"^the Hub could not be reached$", "Hubに接続できず"),
    (
        r"^(.+) has no config\.json on the Hub; give a preset .+$",
        "{1}にはHub上のconfig.jsonがありません。" + WHAT_TO_DO_JA,
    ),
    (
        r"^(.+): the Hub did not give its config\.json \((\w+)\); retry, set HF_ENDPOINT, or "
        r"give a preset .+$",
        "{1}：Hubがconfig.jsonを返しませんでした（{2}）。再試行するか、HF_ENDPOINTを設定するか、"
        + WHAT_TO_DO_JA,
    ),
    # runs.py: a run file (issue #11's "Your measured runs")
    (
        r"^expected a JSON object with format '(llmem-run/\d+)'$",
        "format「{1}」のJSONオブジェクトである必要があります",
    ),
    (r"^must be '(llmem-run/\d+)' \(got (.*)\)$", "'{1}'である必要があります（指定値：{2}）"),
    (
        r"^required: a calibration is per GPU type and method family$",
        "必須です：補正はGPU種別と方式の系統ごとに行います",
    ),
    (r"^unknown key (\S+); known: (.+)$", "不明なキー{1}です。使えるキー：{2}"),
    (r"^give at least one of (.+) \(bytes\)$", "{1}の少なくとも1つ（バイト）を指定してください"),
    (
        r"^([\d,]+) bytes is below (\w+) \(([\d,]+)\): must be ≥ it$",
        "{1}バイトは{2}（{3}）を下回っています：それ以上である必要があります",
    ),
    (
        r"^([\d,]+) bytes is more than a (\S+) holds \(([\d,]+)\); bytes, not KiB or bits\?$",
        "{1}バイトは{2}の容量（{3}）を超えています。単位はバイトです（KiBやビットではありません）",
    ),
    (r"^at most ([\d,]+) runs per file$", "1ファイルあたり最大{1}件のランです"),
    (r"^at most ([\d,]+) files at once$", "一度に最大{1}ファイルです"),
    (
        r"^a (.+) measurement has no GPU figures \(no max_memory_reserved\); calibrate from "
        r"(`[^`]+`)$",
        "{1}での計測にはGPUの値がありません（max_memory_reservedなし）。{2}の結果で補正して"
        "ください",
    ),
    (
        r"^cannot tell the catalog type of GPU (.+); write an (llmem-run/\d+) file with plan\.gpu "
        r"set (\(`llmem catalog`\))$",
        "GPU {1}のカタログ上の種別がわかりません。plan.gpuを設定した{2}ファイルを書いてください{3}",
    ),
    # store.py: the run store's file (paths and the system's own words kept, the latter quoted)
    (
        r"^(\S+) is not an llmem store \(not an SQLite database\); left as it was — move it "
        r"away or set LLMEM_HOME to another directory$",
        "{1}はllmemの保存先ではありません（SQLiteデータベースではない）。ファイルはそのままです。"
        "移動するか、LLMEM_HOMEを別のディレクトリにしてください",
    ),
    (
        r"^(\S+) is another program's SQLite database \(no schema_version table\); left as it "
        r"was — set LLMEM_HOME to another directory$",
        "{1}は別のプログラムのSQLiteデータベースです（schema_versionテーブルなし）。ファイルは"
        "そのままです。LLMEM_HOMEを別のディレクトリにしてください",
    ),
    (
        r"^(\S+) was written by a newer llmem \(schema (\d+); this one reads up to (\d+)\); "
        r"upgrade llmem — the file is left as it was$",
        "{1}は新しいllmemが書いたものです（スキーマ{2}。この版が読めるのは{3}まで）。llmemを"
        "更新してください。ファイルはそのままです",
    ),
    (
        r"^(\S+) was written by a newer llmem \(schema (\d+)\)$",
        "{1}は新しいllmemが書いたものです（スキーマ{2}）",
    ),
    (
        r"^(\S+) has a damaged schema_version table; left as it was$",
        "{1}のschema_versionテーブルが壊れています。ファイルはそのままです",
    ),
    (
        r"^(\S+) is damaged or not an llmem store \((.+)\); left as it was — restore a copy, "
        r"or set LLMEM_HOME to another directory$",
        "{1}は壊れているか、llmemの保存先ではありません（「{2}」）。ファイルはそのままです。"
        "コピーから戻すか、LLMEM_HOMEを別のディレクトリにしてください",
    ),
    (
        r"^(\S+) is damaged \((.+)\); left as it was$",
        "{1}は壊れています（「{2}」）。ファイルはそのままです",
    ),
    (
        r"^(\S+) has schema (\d+): `llmem runs add` migrates it$",
        "{1}のスキーマは{2}です：`llmem runs add`が移行します",
    ),
    (r"^(\S+) is not a regular file$", "{1}は通常のファイルではありません"),
    (
        r"^(\S+) is locked by another process; try again when it has finished$",
        "{1}は別のプロセスがロックしています。終わってから再試行してください",
    ),
    (r"^cannot read (\S+): (.+)$", "{1}を読めません：「{2}」"),
    (r"^cannot create (\S+): (.+)$", "{1}を作成できません：「{2}」"),
    (r"^cannot use (\S+): (.+)$", "{1}を使えません：「{2}」"),
    # calibration.py: a fit refused (run ids as the core listed them)
    (
        r"^runs disagree at the (reserved|device) level: run (\d+) is ([+-][\d.]+%) and run "
        r"(\d+) ([+-][\d.]+%) off one factor fitted to them all \(more than (\d+%)\); remove "
        r"one or record them on the same setup$",
        "{1}の段階でランが食い違います：全ランに当てはめた1つの係数から、ラン{2}は{3}、"
        "ラン{4}は{5}ずれています（{6}超）。どれかを削除するか、同じ環境で計測してください",
    ),
    (
        r"^runs (.+): measured ÷ modelled = ([\d.]+), outside ([\d.]+)–([\d.]+); are their "
        r"bytes and plans right\?$",
        "ラン{1}：実測 ÷ モデル = {2}で、{3}〜{4}の範囲外です。バイト数と計画は正しいですか？",
    ),
    (
        r"^runs (.+): the device figure is below reserved$",
        "ラン{1}：デバイスの値がreservedを下回っています",
    ),
    (
        r"^runs (.+): the device figure is below the model's own bytes outside PyTorch; "
        r"record max_memory_reserved too$",
        "ラン{1}：デバイスの値がモデル自身のPyTorch外のバイト数を下回っています。"
        "max_memory_reservedも記録してください",
    ),
    # validation.input_error's shapes
    (r"^must be (.+) \(got (.*)\)$", "{1!t}である必要があります（指定値：{2}）"),
    (r"^([\w.]+) must be (.+) \(got (.*)\)$", "{1}は{2!t}である必要があります（指定値：{3}）"),
    (r"^required; give (.+)$", "必須です。{1!t}を指定してください"),
    (r"^required; (one of .+)$", "必須です。{1!t}を指定してください"),
    (r"^unknown field; known: (.+)$", "不明なフィールドです。使えるフィールド：{1}"),
    (r"^(\S+) is not allowed: keys must be (.+)$", "{1}は使えません。キーは{2!t}です"),
    (
        r"^Input should be a valid dictionary or instance of (\w+) \(got (.*)\)$",
        "{1}の辞書かインスタンスである必要があります（指定値：{2}）",
    ),
    # the range in words (validation.allowed, state._allowed)
    (r"^(.+) or none$", "{1!t}、またはnone"),
    (r"^(.+) matching (\S+)$", "{2}に一致する{1!t}"),
    (
        r"^(\d+) comma-separated values \(([^)]+)\), each (.+)$",
        "カンマ区切りの{1}個の値（{2}）、それぞれ{3!t}",
    ),
    (
        r"^GPU_KEY:(\S+) per edit, joined by ';' \(an empty figure keeps the catalog's\), "
        r"each (.+)$",
        "編集ごとにGPU_KEY:{1}、「;」で区切る（空欄はカタログの値のまま）、それぞれ{2!t}",
    ),
    (r"^one of (.+)$", "{1}のいずれか"),
    (r"^a whole number (.+)$", "{1!t}の整数"),
    (r"^a number (.+)$", "{1!t}の数値"),
    (r"^text of 1 to ([\d,]+) characters$", "1〜{1}文字のテキスト"),
    (r"^text of at most ([\d,]+) characters$", "{1}文字以内のテキスト"),
    (r"^a (\w+) object$", "{1}オブジェクト"),
    (r"^from (\S+) to (\S+)$", "{1}〜{2}"),
    (r"^at least (\S+)$", "{1}以上"),
    (r"^above (\S+)$", "{1}より大きい"),
    (r"^at most (\S+)$", "{1}以下"),
    (r"^below (\S+)$", "{1}未満"),
    (r"^above (\S+) and (.+)$", "{1}より大きく{2!t}"),
    (r"^(.+?) and (.+)$", "{1!t}かつ{2!t}"),
    # a field's name before its message (last: every shape above is tried first)
    (r"^([\w.\[\]]+): (.+)$", "{1}：{2!t}"),
)
