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
    fn every_role_has_a_label() {
        for (_, key) in super::super::view::ROLE_LABELS {
            assert!(LABELS.iter().any(|(k, _, _)| k == key), "{key}");
        }
    }

    #[test]
    fn every_label_a_template_names_exists() {
        for source in [super::super::view::MARKDOWN, super::super::view::HTML] {
            for part in source.split("L.").skip(1) {
                let key: String = part
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                assert!(LABELS.iter().any(|(k, _, _)| *k == key), "L.{key}");
            }
        }
    }
}
