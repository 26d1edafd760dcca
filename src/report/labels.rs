//! The fixed labels of the Markdown, HTML and CSV reports, in English and Chinese.
//!
//! Templates use them as `L.<key>`; a unit test checks that every key a template
//! names exists here, so a label cannot silently go missing in one language.

use std::collections::BTreeMap;

use crate::i18n::Lang;

/// (key, English, Chinese).
pub const LABELS: &[(&str, &str, &str)] = &[
    ("report", "Service quality report", "服务质量报告"),
    ("period", "Period", "期间"),
    ("customers", "Customers", "顾客"),
    ("managers", "Managers", "管理者"),
    ("summary", "Summary", "概要"),
    ("gap5_by_dimension", "Customer gap (gap 5) by dimension", "各维度顾客差距（差距5）"),
    ("five_gaps", "Five gaps by dimension", "各维度五差距"),
    ("items", "Items", "题项"),
    ("item", "Item", "题项"),
    ("statement", "Statement", "陈述"),
    ("dimension", "Dimension", "维度"),
    ("weight", "Weight", "权重"),
    ("expected", "Expected E", "期望 E"),
    ("perceived", "Perceived P", "感知 P"),
    ("gap_pe", "Gap P−E", "差距 P−E"),
    ("ci95", "95% CI", "95% 置信区间"),
    ("alpha", "α", "α"),
    ("reliability", "Reliability of the gap scores", "差距得分的信度"),
    ("alpha_ci95", "α 95% CI", "α 95% 置信区间"),
    ("weakest_item", "Weakest item", "最弱题项"),
    ("item_total_r", "r", "题项-总分 r"),
    ("alpha_if_deleted", "α without", "删除后 α"),
    ("reliability_note", "Weakest item: the lowest corrected item-total correlation r; α without it above α means the item lowers the dimension's reliability.", "最弱题项：校正题项-总分相关最低；若删除后 α 高于 α，则该题项降低了维度的信度。"),
    ("sd", "sd", "标准差"),
    ("t", "t", "t"),
    ("p", "p", "p"),
    ("n", "n", "n"),
    ("management", "M", "管理者估计 M"),
    ("standard", "S", "标准 S"),
    ("shopper", "D", "交付 D"),
    ("promise", "C", "承诺 C"),
    ("merged", "Merged", "综合感知"),
    ("gap1", "1 knowledge", "1 认知"),
    ("gap2", "2 standards", "2 标准"),
    ("gap3", "3 delivery", "3 交付"),
    ("gap4", "4 communication", "4 沟通"),
    ("gap5", "5 customer", "5 顾客"),
    ("gap_legend", "Gaps (negative = shortfall): 1 knowledge M−E, managers misjudge expectations; 2 standards S−M, standards below what managers know customers want; 3 delivery D−S, service falls short of the standard; 4 communication D−C, delivery falls short of what was promised; 5 customer P−E, customers get less than they expect. ⚠ customers and shoppers disagree.", "差距（负值为不足）：1 认知 M−E，管理者误判顾客期望；2 标准 S−M，标准低于管理者所知的期望；3 交付 D−S，服务未达标准；4 沟通 D−C，交付未达对外承诺；5 顾客 P−E，顾客所得低于期望。⚠ 顾客与神秘顾客看法不一致。"),
    ("servqual", "SERVQUAL score", "SERVQUAL 得分"),
    ("unweighted", "unweighted", "未加权"),
    ("weighted", "weighted", "加权"),
    ("weighted_per_respondent", "weighted per respondent", "按受访者加权"),
    ("not_measured", "not measured", "未测量"),
    ("zone", "Zone of tolerance", "容忍区间"),
    ("adequate", "Adequate A", "适当 A"),
    ("desired", "Desired D", "理想 D"),
    ("msa", "MSA (P−A)", "适当度 MSA (P−A)"),
    ("mss", "MSS (P−D)", "优越度 MSS (P−D)"),
    ("ep_chart", "Expectation and perception per item", "各题项期望与感知"),
    ("ep_legend", "○ expectation E · ● perception P · band: zone of tolerance A…D", "○ 期望 E · ● 感知 P · 色带：容忍区间 A…D"),
    ("ipa", "Importance–performance", "重要性–绩效分析"),
    ("importance", "Importance (weight)", "重要性（权重）"),
    ("performance", "Performance (P)", "绩效（P）"),
    ("quadrant_concentrate", "concentrate here", "重点改进"),
    ("quadrant_keep", "keep up the good work", "继续保持"),
    ("quadrant_low", "low priority", "低优先级"),
    ("quadrant_overkill", "possible overkill", "可能投入过度"),
    ("ipa_concentrate", "Concentrate here", "重点改进"),
    ("ipa_keep", "Keep up the good work", "继续保持"),
    ("ipa_low", "Low priority", "低优先级"),
    ("ipa_overkill", "Possible overkill", "可能过度投入"),
    ("segments", "Segments", "细分"),
    ("segment", "Segment", "细分"),
    ("by", "by", "按"),
    ("rank", "Rank", "排名"),
    ("ranking", "Ranking", "排名"),
    ("respondents", "Respondents", "受访者"),
    ("not_ranked", "– not ranked: fewer than {min} respondents", "– 不参与排名：受访者少于 {min} 人"),
    ("blank", "(blank)", "（空白）"),
    ("trend", "Trend", "趋势"),
    ("history", "History", "历史"),
    ("history_rows_note", "Per source: the rows of the period · the latest date in it", "各数据源：该期行数 · 其中最新日期"),
    ("history_legend", "Gap 5 per dimension in each period, oldest first; the mark is the change against the period before: ▲ narrowed (better) · ▼ widened (worse) · * significant (Welch's t, p < 0.05)", "各期各维度的差距5，由远及近；标记为与上一期相比的变化：▲ 缩小（改善）· ▼ 扩大（恶化）· * 显著（Welch t 检验，p < 0.05）"),
    ("baseline", "Baseline", "基期"),
    ("previous", "Previous", "上期"),
    ("current", "Current", "本期"),
    ("change", "Change", "变化"),
    ("trend_legend", "▲ gap narrowed (better) · ▼ gap widened (worse) · * significant (Welch's t, p < 0.05)", "▲ 差距缩小（改善）· ▼ 差距扩大（恶化）· * 显著（Welch t 检验，p < 0.05）"),
    ("shoppers", "Mystery shopping", "神秘顾客"),
    ("visits", "Visits", "访问次数"),
    ("mean_score", "Mean score", "平均得分"),
    ("critical_failures", "Critical failures", "关键项失败"),
    ("site", "Site", "网点"),
    ("by_site", "Scores by site", "各网点得分"),
    ("questions", "Questions", "问题"),
    ("question", "Question", "问题"),
    ("maps_to", "Maps to", "对应"),
    ("critical", "Critical", "关键"),
    ("answered", "Answered", "已答"),
    ("score", "Score", "得分"),
    ("calibration", "Shopper calibration", "神秘顾客校准"),
    ("yes", "yes", "是"),
    ("no", "no", "否"),
    ("checklist", "Improvement checklist", "改进清单"),
    ("no_checklist", "No gap below the checklist threshold.", "没有低于清单阈值的差距。"),
    ("priority", "Priority", "优先级"),
    ("severity", "Severity", "严重程度"),
    ("gap", "Gap", "差距"),
    ("evidence", "Evidence", "依据"),
    ("owner", "Owner", "负责人"),
    ("due", "Due", "截止"),
    ("status", "Status", "状态"),
    ("actions", "Actions", "行动"),
    ("provenance", "Provenance", "来源"),
    ("tool", "Tool", "工具"),
    ("file", "File", "文件"),
    ("role", "Role", "角色"),
    ("sha256", "SHA-256", "SHA-256"),
    ("generated_at", "Generated at", "生成时间"),
    ("overdue", "overdue", "已逾期"),
    ("left_out", "Invalid rows left out (--skip-invalid)", "已略去的无效行（--skip-invalid）"),
    ("role_audit", "audit", "审计定义"),
    ("role_customers", "customers", "顾客问卷"),
    ("role_management", "management", "管理者问卷"),
    ("role_shoppers", "shoppers", "神秘顾客访问"),
    ("role_form", "form", "神秘顾客表单"),
    ("role_actions", "actions", "行动库"),
    ("role_baseline", "baseline", "基期报告"),
    ("level", "level", "层级"),
    ("id", "id", "编号"),
    ("label", "label", "名称"),
    ("value", "value", "数值"),
    ("ci_low", "ci_low", "置信下限"),
    ("ci_high", "ci_high", "置信上限"),
    ("delta", "delta", "变化量"),
    ("p_change", "p_change", "变化p值"),
    // The checklist: severities, statuses, gap names.
    ("severity_critical", "critical", "严重"),
    ("severity_high", "high", "高"),
    ("severity_medium", "medium", "中"),
    ("severity_watch", "watch", "观察"),
    ("status_open", "open", "待处理"),
    ("status_in_progress", "in progress", "处理中"),
    ("status_done", "done", "已完成"),
    ("status_wont_fix", "won't fix", "不处理"),
    ("status_reopened", "reopened", "重新打开"),
    ("status_resolved", "resolved", "已解决"),
    ("gap_name1", "knowledge gap M-E", "认知差距 M-E"),
    ("gap_name2", "standards gap S-M", "标准差距 S-M"),
    ("gap_name3", "delivery gap D-S", "交付差距 D-S"),
    ("gap_name4", "communication gap D-C", "沟通差距 D-C"),
    ("gap_name5", "customer gap P-E", "顾客差距 P-E"),
    // The checklist: titles and evidence of its entries ({...} filled in by `fill`).
    ("item_word", "item", "题项"),
    ("all_sites", "all sites", "所有网点"),
    ("list_sep", ", ", "，"),
    ("colon", ": ", "："),
    ("title_dimension", "{dimension}: {gap}", "{dimension}：{gap}"),
    ("title_item", "{item} ({dimension}): {gap}", "{item}（{dimension}）：{gap}"),
    ("title_item_text", "{item} ({dimension}) “{text}”: {gap}", "{item}（{dimension}）“{text}”：{gap}"),
    ("title_critical", "Critical question {question} at {place}", "{place}：关键问题 {question}"),
    ("shortfall_gap1", "Managers underestimate what customers expect of {subject} by {size} points", "管理层对客户在{subject}上的期望估计偏低 {size} 分"),
    ("shortfall_gap2", "The service standard for {subject} is {size} points below what managers know customers expect", "{subject}的服务标准比管理层所知的客户期望低 {size} 分"),
    ("shortfall_gap3", "Delivery of {subject} (mystery shopping) falls {size} points short of the standard", "{subject}的实际服务（神秘顾客）比服务标准低 {size} 分"),
    ("shortfall_gap4", "Delivery of {subject} falls {size} points short of what is promised", "{subject}的实际服务比对外承诺低 {size} 分"),
    ("shortfall_gap5", "Customers rate {subject} {size} points below what they expect", "客户对{subject}的评分比期望低 {size} 分"),
    // Perception-only (SERVPERF) audits.
    ("perception_name", "perception below the standard P-S", "感知低于标准 P-S"),
    ("shortfall_perception", "Customers rate {subject} {size} points below your service standard", "客户对{subject}的评分比您的服务标准低 {size} 分"),
    ("servperf", "SERVPERF score", "SERVPERF 得分"),
    ("servperf_unweighted", "SERVPERF score, unweighted", "SERVPERF 得分（未加权）"),
    ("servperf_audit", "Perception-only audit (SERVPERF): the customer survey asks perceptions P only, no expectations E. Scores are mean perceptions on the scale (higher is better); the customer gap P-E (gap 5) is not measured.", "仅感知审计（SERVPERF）：顾客问卷只询问感知 P，不询问期望 E。得分为量表上的平均感知（越高越好）；顾客差距 P-E（差距5）未测量。"),
    ("servperf_no_standards", "The audit sets no service standards (standards:), so there is nothing to compare the perceptions with: the checklist has no customer findings.", "审计未设定服务标准（standards:），感知无从比较：清单中没有顾客方面的发现。"),
    ("servperf_by_dimension", "Perception P by dimension (SERVPERF)", "各维度感知 P（SERVPERF）"),
    ("reliability_perceptions", "Reliability of the perceptions", "感知得分的信度"),
    ("col_standard", "S", "标准 S"),
    ("col_p_minus_s", "P-S", "P-S"),
    ("gap5_not_measured", "— not measured", "— 未测量"),
    ("ci_range", "95% CI {low} to {high}", "95% 置信区间 {low} 至 {high}"),
    ("details_sentence", " ({details}).", "（{details}）。"),
    ("details", " ({details})", "（{details}）"),
    ("advice_concentrate", "Customers rate this dimension above average in importance and it performs below average: concentrate here.", "客户认为该维度重要性高于平均而表现低于平均：重点改进。"),
    ("advice_keep", "Important to customers and better than the other dimensions, yet still short of what customers expect: keep what works and close this gap.", "客户看重且表现好于其他维度，但仍未达到客户期望：保留有效做法，同时补上这一差距。"),
    ("advice_low", "Below average in both importance and performance: low priority.", "重要性与表现均低于平均：低优先级。"),
    ("advice_overkill", "Less important to customers than average and better than the other dimensions, yet short of expectations: fix it at low cost.", "重要性低于平均、表现好于其他维度，但仍未达到期望：宜以低成本改进。"),
    ("note_must_be", "Kano must-be: customers take it for granted, so every shortfall costs satisfaction.", "卡诺必备型：客户视为理所当然，任何不足都直接损害满意度。"),
    ("note_watch", "The 95% interval includes 0, so this may be chance: watch it before acting.", "95% 置信区间包含 0，可能只是偶然：先观察再行动。"),
    ("critical_failed_at", "Critical question {question} failed in {failures} of {visits} visits at {place}", "关键问题 {question} 在 {place} 的 {visits} 次走访中有 {failures} 次不合格"),
    ("no_longer_below", "No longer below the threshold {threshold}: now {value}", "已不低于阈值 {threshold}：当前为 {value}"),
    ("did_not_fail", "The critical question did not fail in this period", "本期该关键问题未出现不合格"),
    ("not_measured_carried", "Not measured in this period; status carried over", "本期未测量，沿用原状态"),
    // The checklist laid out: table section and Markdown task list.
    ("ipa_title", "Importance-performance analysis", "重要性-绩效分析"),
    ("ipa_importance", "Importance", "重要性"),
    ("ipa_performance", "Performance P", "绩效 P"),
    ("quadrant", "Quadrant", "象限"),
    ("ipa_equal", "Every dimension weighs the same, so all count as important and the quadrants divide by performance only.", "各维度权重相同，因此均视为重要，象限仅按绩效划分。"),
    ("ipa_crosshair", "Crosshair: mean importance {importance}%, mean performance {performance} (a dimension on a line counts as high)", "分界线：平均重要性 {importance}%，平均绩效 {performance}（恰在分界线上的维度计为高）"),
    ("overdue_count", "{n} overdue", "{n} 项已逾期"),
    ("critical_failed", "Critical question {question} failed", "关键问题 {question} 不合格"),
    ("kano_must_be_mark", " · Kano must-be", " · 卡诺必备型"),
    ("failed_at", "Failed at: ", "不合格网点："),
    ("items_lead", "Items: ", "题项："),
    ("more", "+{n} more", "另 {n} 项"),
    // The summary, league table and checklist views.
    ("note_covers_gap4", " Standard and promise are the same here, so this is also the communication gap (D-C).", "此处标准与承诺相同，因此这也是沟通差距（D-C）。"),
    ("summary_critical", "Critical question {question} failed in {failures} of {visits} visits at {place}", "关键问题 {question} 在{place}的 {visits} 次走访中有 {failures} 次不合格"),
    ("summary_shortfall", "{subject}: {gap} of {size} points", "{subject}：{gap} {size} 分"),
    ("summary_subject", "{item} {short} ({dimension})", "{item} {short}（{dimension}）"),
    ("summary_more", " (and {n} more in this group)", "（本组另有 {n} 项）"),
    ("summary_owner", " — owner {owner}, due {due}.", "——负责人 {owner}，期限 {due}。"),
    ("headline_scores", "Headline scores", "主要得分"),
    ("no_previous", "no baseline", "无基线"),
    ("change_since", "change since {period}", "较 {period} 的变化"),
    ("change_since_baseline", "change since the baseline", "较基线的变化"),
    ("shopper_score", "Shopper score", "神秘顾客得分"),
    ("gate", "Gate", "门槛检查"),
    ("gate_passed", "✓ passed", "✓ 通过"),
    ("gate_failed", "✗ failed", "✗ 未通过"),
    ("gate_none", "no gate rules", "未设门槛规则"),
    ("gate_pass", "pass", "通过"),
    ("gate_fail", "fail", "未通过"),
    ("gate_unmeasured", "not measured", "未测量"),
    ("urgent", "Most urgent", "最紧急的问题"),
    ("nothing_urgent", "Nothing below the checklist threshold and no critical failure.", "没有低于清单阈值的差距，也没有关键问题不合格。"),
    ("league", "Sites", "各网点"),
    ("customer_gap", "Customer gap", "顾客差距"),
    ("league_by_gap", "Rank by customer gap (weighted SERVQUAL score, unweighted where there are no weights); – not enough data.", "按顾客差距排名（加权 SERVQUAL 得分，无权重时为未加权）；– 数据不足。"),
    ("league_by_shopper", "Rank by shopper score; – not enough visits.", "按神秘顾客得分排名；– 走访次数不足。"),
    ("league_no_gaps", "Customer gaps per site need segments by site: run with --by site.", "各网点的顾客差距需要按网点分组：请使用 --by site。"),
    ("scorecard", "Scorecard", "网点记分卡"),
    ("whole_audit", "Whole audit", "整体"),
    ("this_site", "This site", "本网点"),
    ("site_findings", "Most urgent findings at this site", "本网点最紧急的问题"),
    ("site_no_findings", "No finding names this site; the findings of the whole audit apply.", "没有针对本网点的问题；整体问题同样适用。"),
    ("site_visits", "Visits", "走访"),
    ("shown_of", "The {shown} most urgent of {total} findings; {more} more (all with their evidence) in --checklist-only, the JSON and the CSV.", "显示 {total} 项中最紧急的 {shown} 项；其余 {more} 项（含依据）见 --checklist-only、JSON 与 CSV。"),
    ("groups_more", "{more} more {findings_word} in {groups} further {groups_word}: --checklist-only, the JSON and the CSV list them all.", "另有 {more} 项问题（{groups} 组）：--checklist-only、JSON 与 CSV 列出全部。"),
    ("what_to_do", "What to do:", "改进措施："),
    ("also_above", "Also the actions of group {n} above.", "另见上文第 {n} 组的措施。"),
    ("covers", "also", "同时为"),
    ("calibration_lead", "Points from the other shoppers at the same sites; + lenient, − harsh; ⚠ more than 10 points.", "与同网点其他神秘顾客相比的分差；+ 宽松，− 严格；⚠ 超过 10 分。"),
    ("shopper_name", "Shopper", "神秘顾客"),
    ("no_findings", "No gap below the checklist threshold and no critical failure.", "没有低于清单阈值的差距，也没有关键问题不合格。"),
    // Counted nouns: `plural` picks `KEY_one` for one, `KEY` for any other count.
    ("findings_word", "findings", "项问题"),
    ("findings_word_one", "finding", "项问题"),
    ("groups_word", "groups", "组"),
    ("groups_word_one", "group", "组"),
    ("checklist_summary", "{heading}: {findings} {findings_word} in {groups} {groups_word}, most urgent first", "{heading}：{findings} 项问题，分为 {groups} 组，按紧急程度排列"),
    ("finding_first_action", "Finding · first action", "问题 · 首要措施"),
    ("severity_status", "Severity · status", "严重程度 · 状态"),
    ("owner_due", "Owner · due", "负责人 · 期限"),
    ("other_owners", "+{n} other owner(s)", "另有 {n} 位负责人"),
    ("resolved_lead", "Resolved (the gap has closed):", "已解决（差距已消除）："),
    ("unmeasured_lead", "Not measured this period, status carried over:", "本期未测量，沿用原状态："),
    ("watch_legend", "`?` = the 95% interval includes 0: watch before acting.", "`?` = 95% 置信区间包含 0：先观察再行动。"),
    ("due_legend", "Due: period end + 14 days (critical), 30 (high), 60 (medium), 90 (watch).\nEvery finding with its evidence and all actions: --checklist-only (Markdown) or --format json.", "期限：期末 + 14 天（严重）、30 天（高）、60 天（中）、90 天（观察）。\n每项问题的完整依据与全部措施：--checklist-only（Markdown）或 --format json。"),
    ("failed_in", "failed in {failures} of {visits} visits", "{visits} 次走访中 {failures} 次不合格"),
    ("dimension_overall", "{dimension} overall", "{dimension}（整体）"),
    ("owner_word", "owner", "负责人"),
    ("notes", "Notes", "备注"),
    ("checklist_md_summary", "{findings} {findings_word} in {groups} {groups_word}, most urgent first. Record progress in the state file (status, owner, notes) and run `servqual report AUDIT --update-checklist`.", "共 {findings} 项问题，分为 {groups} 组，按紧急程度排列。请在状态文件中记录进展（状态、负责人、备注），然后运行 `servqual report AUDIT --update-checklist`。"),
    ("due_word", "due", "期限"),
    ("priority_word", "priority", "优先级"),
    ("resolved_heading", "Resolved: the gap has closed", "已解决：差距已消除"),
    ("unmeasured_heading", "Not measured this period: status carried over", "本期未测量：沿用原状态"),
    // The terminal tables: gap tables and the mystery-shopper section.
    ("period_word", "period", "期间"),
    ("status_title", "Status of", "状态："),
    ("source", "Source", "数据源"),
    ("rows", "Rows", "行数"),
    ("in_period", "In period", "本期"),
    ("outside_period", "Other periods", "其他期间"),
    ("blank_rows", "Blank", "空行"),
    ("latest_date", "Latest date", "最新日期"),
    ("quota", "Quota", "配额"),
    ("checklist_open", "Checklist: {open} open, {overdue} overdue", "改进清单：{open} 项未完成，{overdue} 项已逾期"),
    ("complete_yes", "Complete: every source has rows in the period and every site meets its visit quota.", "完整：每个数据源在本期都有数据，每个网点都达到访问配额。"),
    ("complete_no", "Not complete: {why}.", "不完整：{why}。"),
    ("no_rows_in", "no rows in the period in {sources}", "{sources} 在本期没有数据"),
    ("quota_missed", "{sites} below the visit quota", "{sites} 未达到访问配额"),
    ("customers_word", "customers", "顾客"),
    ("managers_word", "managers", "管理者"),
    ("servqual_unweighted", "SERVQUAL score, unweighted", "SERVQUAL 得分（未加权）"),
    ("five_gaps_by_item", "Five gaps by item", "各题项五差距"),
    ("col_expected", "E", "期望 E"),
    ("col_perceived", "P", "感知 P"),
    ("col_gap_pe", "Gap P-E", "差距 P-E"),
    ("col_gap1", "Gap 1\nM-E", "差距1\nM-E"),
    ("col_gap2", "Gap 2\nS-M", "差距2\nS-M"),
    ("col_gap3", "Gap 3\nD-S", "差距3\nD-S"),
    ("col_gap4", "Gap 4\nD-C", "差距4\nD-C"),
    ("col_gap5", "Gap 5\nP-E", "差距5\nP-E"),
    ("gap_table_legend", "E expected, P perceived (customers) · M managers' estimate of E · S standard · D delivered (mystery shoppers)\nC promised · Merged = weighted P and D (the measured side alone when one is missing) · - not measured\nGaps (negative = shortfall) and what closes them:\n  1 knowledge      M - E  managers misjudge what customers expect: customer research, complaint analysis\n  2 standards      S - M  standards below what managers know customers want: measurable standards\n  3 delivery       D - S  service falls short of the standard: monitoring, training, empowerment\n  4 communication  D - C  delivery falls short of what was promised: align promises with delivery\n  5 customer       P - E  customers get less than they expect: close gaps 1-4, recover failures\n  ⚠ customers and mystery shoppers disagree by more than the divergence threshold\n", "E 顾客期望，P 顾客感知 · M 管理者对 E 的估计 · S 服务标准 · D 神秘顾客观察到的交付水平\nC 对外承诺 · 综合感知 = P 与 D 的加权（只有一方时取该方）· - 未测量\n差距（负值为不足）及其对策：\n  1 认知  M - E  管理者误判顾客期望：顾客调研、投诉分析\n  2 标准  S - M  标准低于管理者所知的顾客期望：制定可衡量的标准\n  3 交付  D - S  服务未达标准：绩效监控、培训、授权\n  4 沟通  D - C  交付未达对外承诺：使承诺与交付一致\n  5 顾客  P - E  顾客所得低于期望：弥合差距1-4，做好服务补救\n  ⚠ 顾客与神秘顾客的评价差异超过阈值\n"),
    ("shoppers_form", "Mystery shopping, form", "神秘顾客，表单"),
    ("visits_word", "visits", "次走访"),
    ("mean_score_word", "mean score", "平均得分"),
    ("visits_failing_critical", "visits failing a critical question", "关键项不合格走访"),
    ("critical_scores_zero", "such a visit scores 0", "此类走访记 0 分"),
    ("critical_flagged", "flagged, score kept", "仅标记，保留得分"),
    ("sites_by_score", "Sites by mean visit score", "各网点走访得分排名"),
    ("visits_col", "Visits", "走访"),
    ("score_percent", "Score %", "得分 %"),
    ("critical_failures_col", "Critical failures", "关键项不合格"),
    ("sites_unranked", "Sites without a rank have fewer visits than the minimum:", "无排名的网点走访次数少于最低要求："),
    ("questions_missed", "Questions missed most", "失分最多的问题"),
    ("section", "Section", "环节"),
    ("answered_col", "Answered", "作答"),
    ("failed_word", "failed", "次不合格"),
    ("calibration_title", "Shopper calibration (points from the other shoppers at the same sites; + lenient, − harsh)", "神秘顾客校准（与同一网点其他神秘顾客相比的分差；正为宽松，负为严格）"),
    ("shopper_col", "Shopper", "神秘顾客"),
    ("shared_sites", "Shared sites", "共同网点"),
    ("answers_compared", "Answers compared", "比较答案数"),
    ("deviation", "Deviation", "偏差"),
    ("calibration_legend", "⚠ more than 10 points from the others: check the shopper's briefing before trusting their scores.", "⚠ 与他人相差超过 10 分：采信其评分前请核查该神秘顾客的培训与说明。"),
];

/// Every label in `lang`, by key.
pub fn labels(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    LABELS
        .iter()
        .map(|(k, en, zh)| (*k, if lang == Lang::Zh { *zh } else { *en }))
        .collect()
}

/// The label `key` in `lang` (the key itself if there is none, caught by tests).
pub fn label(lang: Lang, key: &str) -> &'static str {
    LABELS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map_or("?", |(_, en, zh)| if lang == Lang::Zh { zh } else { en })
}

/// The name of an importance-performance quadrant in `lang`, as tables write it.
pub fn quadrant(lang: Lang, quadrant: crate::analysis::ipa::Quadrant) -> &'static str {
    use crate::analysis::ipa::Quadrant::*;
    let key = match quadrant {
        ConcentrateHere => "quadrant_concentrate",
        KeepUpTheGoodWork => "quadrant_keep",
        LowPriority => "quadrant_low",
        PossibleOverkill => "quadrant_overkill",
    };
    label(lang, key)
}

/// The label `key` in `lang` with each `{name}` replaced by the value given for `name`;
/// values are inserted as they are (a `{` in a value is never taken for a placeholder).
/// The word for `n` things of label `key`: `KEY_one` when `n` is 1, else `KEY`.
pub fn plural(lang: Lang, n: usize, key: &str) -> &'static str {
    match n {
        1 => label(lang, &format!("{key}_one")),
        _ => label(lang, key),
    }
}

pub fn fill(lang: Lang, key: &str, values: &[(&str, &str)]) -> String {
    let template = label(lang, key);
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v, close))
        });
        match value {
            Some((v, close)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_translated() {
        for (i, (k, en, zh)) in LABELS.iter().enumerate() {
            assert!(!en.is_empty() && !zh.is_empty(), "{k}");
            assert!(!LABELS[..i].iter().any(|(o, _, _)| o == k), "duplicate {k}");
        }
    }

    #[test]
    fn plural_picks_the_word_for_one_and_for_any_other_count() {
        assert_eq!(plural(Lang::En, 1, "groups_word"), "group");
        assert_eq!(plural(Lang::En, 0, "groups_word"), "groups");
        assert_eq!(plural(Lang::En, 3, "findings_word"), "findings");
        assert_eq!(plural(Lang::Zh, 1, "findings_word"), "项问题");
    }

    #[test]
    fn fill_replaces_named_placeholders_once() {
        assert_eq!(
            fill(Lang::En, "ci_range", &[("low", "{high}"), ("high", "2")]),
            "95% CI {high} to 2"
        );
        assert_eq!(
            fill(Lang::Zh, "not_ranked", &[("n", "5")]),
            "– 不参与排名：受访者少于 {min} 人"
        );
    }
}
