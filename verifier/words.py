"""What the verifier says, in Chinese (the default) and English: one entry per finding."""

WORDS: dict[str, tuple[str, str]] = {
    # --- what holds ---------------------------------------------------------------------------
    "format": (
        "公告数据格式 {format} 第 {version} 版",
        "Bulletin format {format}, version {version}"),
    "chain": (
        "账本链 {chain}：共 {n} 条，每一条都接续前一条，末条 #{seq} {hash}；"
        "其中 {full} 条按内容重新计算了哈希，{withheld} 条因含投票人身份未公开内容，只核对了衔接",
        "Ledger chain {chain}: {n} entries, each linked to the one before, last #{seq} {hash}; {full} recomputed "
        "from their content, {withheld} withheld (they name the voter) checked by their links only"),
    "heads": (
        "开启时和截止时记录的链头与账本链一致",
        "The heads recorded at opening and at close are those of the chains"),
    "settings": (
        "表决规则、选项和选民名册（{voices} 个表决权，名册哈希 {hash}）与开启时记入账本的一致",
        "The rule, the options and the electorate ({voices} voices, snapshot hash {hash}) are those the opening "
        "entry recorded"),
    "result": (
        "公布的结果与公布时记入账本的结果一致",
        "The published result is the one the publication entry recorded"),
    "receipts": (
        "计入的回执共 {n} 个：每个都在投票登记链中且只计一次，与参与的表决权数相同",
        "{n} counted receipts: each is in the register once, as many as the voices that took part"),
    "papers": (
        "密封选票共 {n} 张：清单与投票登记链、纸质批次一致，也与截止时记入账本的清单哈希一致",
        "{n} sealed papers: the list matches the register and the paper batches, and the hash of the list recorded "
        "at close"),
    "counts_box": (
        "各选项票数与监票人开箱时记入账本的计数一致",
        "The counts are those the scrutineers' opening of the box recorded"),
    "counts_named": (
        "各选项票数、面积和参与人数按登记链中计入的选择重新计算，与公布的一致",
        "The counts, areas and turnout recomputed from the register's counted choices are those published"),
    "ratings": (
        "评分题的满意率和得分按票数重新计算，与公布的一致",
        "The satisfaction rates and scores recomputed from the counts are those published"),
    "verdict": (
        "按规则“{rule}”重新计算的结论：{outcome}，与公布的一致",
        "The verdict recomputed under the rule “{rule}”: {outcome}, as published"),
    "anchors": (
        "{n} 个时间戳：每个令牌的消息摘要都对应它所证明的账本条目",
        "{n} time-stamps: each token's imprint is that of the entry it stamps"),
    "anchors_signed": (
        "{n} 个时间戳的签名经 openssl 按所给根证书验证通过",
        "{n} time-stamps' signatures verified by openssl against the given root certificate"),
    "receipt_counted": (
        "回执 {receipt} 已计入（第 {version} 版，{channel}）",
        "Receipt {receipt} is counted (version {version}, {channel})"),
    "receipt_paper": (
        "它对应的密封选票 {paper} 在计入的选票清单中",
        "Its sealed paper {paper} is in the list of papers counted"),
    "receipt_choices": (
        "登记的选择：{choices}",
        "Choices recorded: {choices}"),
    # --- notes ------------------------------------------------------------------------------------
    "no_anchors": (
        "没有时间戳（本站未配置时间戳机构）：账本的时间只有服务器自己担保",
        "No time-stamps (the site has no time-stamp authority): only the server vouches for the chains' time"),
    "signature_unchecked": (
        "未核对时间戳机构的签名：请用 --tsa-root 指定该机构的根证书（需要 openssl 程序）",
        "The authority's signatures were not checked: give its root certificate with --tsa-root (needs the openssl "
        "program)"),
    "anchor_pending": (
        "{chain}#{seq}（{event}）的时间戳尚未取得",
        "{chain}#{seq} ({event}) has no time-stamp token yet"),
    "contents_unchecked": (
        "此为密封票箱之前的秘密表决：匿名选票未公开，票数无法在此重新计算",
        "A secret ballot from before the sealed box: its anonymous papers are not published, so the counts cannot be "
        "recomputed here"),
    "receipt_replaced": (
        "回执 {receipt} 已被同一表决权后来的投票取代，不计入",
        "Receipt {receipt} was replaced by a later vote of the same voice and is not counted"),
    "step": (
        "  {text}",
        "  {text}"),
    # --- what does not hold -----------------------------------------------------------------------
    "unreadable": (
        "无法读取公告数据：{error}",
        "The bulletin cannot be read: {error}"),
    "format_unknown": (
        "不认识的公告数据格式 {format} 第 {version} 版",
        "Unknown bulletin format {format}, version {version}"),
    "missing": (
        "公告数据缺少 {what}",
        "The bulletin has no {what}"),
    "chain_gap": (
        "账本链 {chain}：缺少第 {seq} 条",
        "Ledger chain {chain}: entry #{seq} is missing"),
    "chain_link": (
        "账本链 {chain}：第 {seq} 条记录的前一哈希与前一条不符，链被断开或改动",
        "Ledger chain {chain}: entry #{seq} does not link to the one before: the chain was cut or changed"),
    "chain_hash": (
        "账本链 {chain}：第 {seq} 条的哈希与其内容不符，该条被改动过",
        "Ledger chain {chain}: entry #{seq}'s hash is not that of its content: the entry was changed"),
    "chain_head": (
        "账本链 {chain}：所称链头 #{seq} {hash} 不是最后一条",
        "Ledger chain {chain}: the stated head #{seq} {hash} is not its last entry"),
    "head_differs": (
        "{when}记录的链 {chain} 的链头（#{seq} {hash}）与账本链不符",
        "The head of chain {chain} recorded {when} (#{seq} {hash}) is not that of the chain"),
    "event_missing": (
        "生命周期链中没有“{event}”条目",
        "The lifecycle chain has no “{event}” entry"),
    "settings_differ": (
        "{what} 与开启时记入账本的不一致",
        "{what} differs from what the opening entry recorded"),
    "result_differs": (
        "公布的结果与公布时记入账本的结果不一致",
        "The published result differs from the one the publication entry recorded"),
    "receipt_missing": (
        "回执 {receipt} 在登记链中计入，却不在公布的回执清单中",
        "Receipt {receipt} is counted in the register but missing from the published list"),
    "receipt_extra": (
        "公布的回执 {receipt} 在登记链中没有计入的条目",
        "Published receipt {receipt} has no counted entry in the register"),
    "receipt_twice": (
        "回执 {receipt} 出现不止一次",
        "Receipt {receipt} appears more than once"),
    "turnout_differs": (
        "计入的回执 {n} 个，公布的参与表决权数却是 {published}",
        "{n} receipts are counted, but the published turnout is {published} voices"),
    "papers_differ": (
        "密封选票清单与登记链和纸质批次不符（{missing} 张缺失，{extra} 张多出）",
        "The list of sealed papers does not match the register and the paper batches ({missing} missing, {extra} "
        "extra)"),
    "papers_hash": (
        "密封选票清单的哈希与截止时记入账本的不符",
        "The hash of the list of sealed papers differs from the one recorded at close"),
    "papers_count": (
        "密封选票 {n} 张，截止时记入 {closed} 张，开箱计数 {opened} 张",
        "{n} sealed papers, {closed} recorded at close, {opened} counted when the box was opened"),
    "count_differs": (
        "“{question}”的“{option}”：公布的{field}为 {published}，重新计算为 {recomputed}",
        "“{question}”, “{option}”: published {field} {published}, recomputed {recomputed}"),
    "rating_differs": (
        "“{question}”：公布的{field}为 {published}，重新计算为 {recomputed}",
        "“{question}”: published {field} {published}, recomputed {recomputed}"),
    "inputs_differ": (
        "结论所依据的 {name}：公布为 {published}，按结果重新计算为 {recomputed}",
        "The verdict's input {name}: published {published}, recomputed from the result {recomputed}"),
    "inputs_impossible": (
        "结论所依据的数字不可能成立：{error}",
        "The verdict's numbers cannot be: {error}"),
    "verdict_differs": (
        "公布的结论为 {published}，按规则“{rule}”重新计算为 {recomputed}",
        "The published verdict is {published}; recomputed under the rule “{rule}” it is {recomputed}"),
    "anchor_entry": (
        "{chain}#{seq} 的时间戳所证明的条目（{event}，{hash}）与账本链不符",
        "The time-stamp of {chain}#{seq} stamps an entry ({event}, {hash}) that is not the chain's"),
    "anchor_imprint": (
        "{chain}#{seq} 的时间戳令牌的消息摘要不是该条目的：令牌被调换或改动",
        "The time-stamp token of {chain}#{seq} has another entry's imprint: the token was swapped or changed"),
    "anchor_unreadable": (
        "{chain}#{seq} 的时间戳令牌无法读取：{error}",
        "The time-stamp token of {chain}#{seq} cannot be read: {error}"),
    "anchor_time": (
        "{chain}#{seq} 的时间戳时间 {stated} 与令牌中的 {token} 不符",
        "The time-stamp time of {chain}#{seq}, {stated}, is not the token's, {token}"),
    "anchor_missing": (
        "生命周期事件 {chain}#{seq}（{event}）没有时间戳",
        "Lifecycle event {chain}#{seq} ({event}) has no time-stamp"),
    "anchor_signature": (
        "{chain}#{seq} 的时间戳签名未通过 openssl 验证：{error}",
        "The time-stamp of {chain}#{seq} does not verify with openssl: {error}"),
    "receipt_unknown": (
        "回执 {receipt} 不在这次表决的登记链中",
        "Receipt {receipt} is not in this ballot's register"),
    "receipt_not_listed": (
        "回执 {receipt} 的选票不在计入的选票清单中",
        "The paper of receipt {receipt} is not in the list of papers counted"),
    # --- the summary ----------------------------------------------------------------------------
    "title": (
        "核验表决 {id}：{title}（{committee}）",
        "Checking ballot {id}: {title} ({committee})"),
    "all_hold": (
        "结论：以上各项全部成立。",
        "Conclusion: everything above holds."),
    "some_fail": (
        "结论：有 {n} 项不成立（标 ✗ 的各行）。",
        "Conclusion: {n} finding(s) do not hold (the lines marked ✗)."),
}

TERMS: dict[str, tuple[str, str]] = {
    "passed": (
        "通过",
        "passed"),
    "rejected": (
        "未通过",
        "rejected"),
    "invalid": (
        "无效",
        "invalid"),
    "none": (
        "无结论（评分）",
        "no verdict (ratings)"),
    "simple_majority": (
        "投票过半数",
        "simple majority of votes cast"),
    "two_thirds": (
        "投票三分之二",
        "two thirds of votes cast"),
    "consensus": (
        "无异议",
        "consensus"),
    "art278": (
        "民法典第二百七十八条（一般事项）",
        "Civil Code art. 278 (ordinary matter)"),
    "art278_major": (
        "民法典第二百七十八条（重大事项）",
        "Civil Code art. 278 (major matter)"),
    "online": (
        "网上",
        "online"),
    "paper": (
        "纸质",
        "paper"),
    "assisted": (
        "代为录入",
        "assisted"),
    "at_open": (
        "开启时",
        "at opening"),
    "at_close": (
        "截止时",
        "at close"),
    "count": (
        "票数",
        "count"),
    "area": (
        "面积",
        "area"),
    "rate": (
        "满意率",
        "rate"),
    "score": (
        "得分",
        "score"),
    "answers": (
        "有效评价数",
        "answers"),
    "turnout": (
        "参与表决权数",
        "turnout"),
    "turnout_area": (
        "参与面积",
        "turnout area"),
    "nobody": (
        "无人参与 ✗",
        "Nobody took part ✗"),
    "quorum": (
        "参与率 {value} {sign} 法定比例 {threshold}（{part}/{whole}）",
        "Turnout {value} {sign} quorum {threshold} ({part} of {whole})"),
    "no_votes_cast": (
        "没有赞成票或反对票 ✗",
        "No votes cast for or against ✗"),
    "yes_of_cast": (
        "赞成票占投票 {value} {sign} {threshold}（{part}/{whole}）",
        "Yes {value} of votes cast {sign} {threshold} ({part} of {whole})"),
    "no_objection": (
        "反对票 {part}（无异议要求为 0）",
        "Votes against: {part} (consensus allows none)"),
    "one_yes": (
        "赞成票 {part}（至少需要 1 票）",
        "Votes in favour: {part} (at least one needed)"),
    "area_taking_part": (
        "参与面积 {value} {sign} {threshold}（{part}/{whole} m²）",
        "Participating floor area {value} {sign} {threshold} ({part} of {whole} m²)"),
    "owners_taking_part": (
        "参与业主人数 {value} {sign} {threshold}（{part}/{whole}）",
        "Participating owners {value} {sign} {threshold} ({part} of {whole})"),
    "yes_area": (
        "赞成面积占参与面积 {value} {sign} {threshold}（{part}/{whole} m²）",
        "Yes floor area {value} of participating area {sign} {threshold} ({part} of {whole} m²)"),
    "yes_owners": (
        "赞成人数占参与人数 {value} {sign} {threshold}（{part}/{whole}）",
        "Yes owners {value} of participating owners {sign} {threshold} ({part} of {whole})"),
}


def say(code: str, lang: str, **params) -> str:
    zh, en = WORDS[code]
    return (en if lang == "en" else zh).format(**params)


def term(word: str, lang: str, **params) -> str:
    zh, en = TERMS.get(word, (word, word))
    text = en if lang == "en" else zh
    return text.format(**params) if params else text
