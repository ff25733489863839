//! The startup form's content (SPEC §2): every field as the owner typed it, so a
//! draft keeps everything, and the validation that submission requires, with a
//! Swedish message per field.

use serde::{Deserialize, Serialize};

use crate::org::valid_email;
use crate::web::{FieldErrors, clean};

/// Publishing frequencies offered in section 3.
pub(crate) const FREQUENCIES: [(&str, &str); 5] = [
    ("dagligen", "Dagligen"),
    ("flera_ggr_vecka", "Flera gånger i veckan"),
    ("varje_vecka", "Varje vecka"),
    ("varannan_vecka", "Varannan vecka"),
    ("varje_manad", "Varje månad"),
];

/// Lawful bases of section 5; consent is the last resort.
pub(crate) const LAWFUL_BASES: [(&str, &str); 5] = [
    ("allmant_intresse", "Uppgift av allmänt intresse"),
    ("myndighetsutovning", "Myndighetsutövning"),
    ("avtal", "Avtal"),
    ("rattslig_forpliktelse", "Rättslig förpliktelse"),
    ("samtycke", "Samtycke"),
];

/// Everything in the form, as typed. Field names are the HTML names and ids.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct FormContent {
    // 1. Verksamhet
    pub unit_id: String,
    // 2. Kontot
    pub account_id: String,
    pub platform_id: String,
    pub account_name: String,
    pub url: String,
    pub shared: String,
    pub shared_with: String,
    pub planned_start: String,
    // 3. Syfte, mål och nytta
    pub purpose: String,
    pub goals: String,
    pub benefit: String,
    pub target_groups: String,
    pub why_not_existing: String,
    pub planned_content: String,
    pub frequency: String,
    pub follow_up: String,
    // 4. Resurser och ansvar
    pub deputy_user_id: String,
    pub editors: String,
    pub hours_per_week: String,
    pub monitoring: String,
    pub response_time: String,
    pub training: String,
    pub training_date: String,
    // 5. Personuppgifter
    pub controller: String,
    pub joint_controllers: String,
    pub joint_agreement: String,
    pub publishes_personal_data: String,
    pub lawful_basis: String,
    pub consent_justification: String,
    pub children_data: String,
    pub children_safeguards: String,
    pub ack_incidents: Option<String>,
    pub ack_cloud: Option<String>,
    pub risk_assessment: String,
    // 6. Åtaganden
    pub c_profile_picture: Option<String>,
    pub c_basic_info: Option<String>,
    pub c_credentials: Option<String>,
    pub c_archiving: Option<String>,
    pub c_read_documents: Option<String>,
}

/// Other editors, one per line as "Namn, e-post".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Editor {
    pub name: String,
    pub email: String,
}

/// What validation needs to know besides the content.
pub(crate) struct Context<'a> {
    pub existing: bool,
    pub unit_ids: &'a [i64],
    pub platform_ids: &'a [i64],
    pub deputy_ids: &'a [i64],
    pub account_ids: &'a [i64],
    pub owner_id: i64,
}

const MAX_TEXT: usize = 4000;
const MAX_LINE: usize = 300;

pub(crate) use crate::web::parse_date;

impl FormContent {
    /// Trim what was typed and cut absurd lengths, so a draft never fails to save.
    pub fn normalised(mut self) -> Self {
        for f in self.text_fields_mut() {
            let t = f.trim();
            let t: String = t.chars().filter(|c| !c.is_control() || *c == '\n' || *c == '\t').collect();
            *f = t.chars().take(MAX_TEXT * 2).collect();
        }
        self
    }

    fn text_fields_mut(&mut self) -> Vec<&mut String> {
        vec![
            &mut self.unit_id,
            &mut self.account_id,
            &mut self.platform_id,
            &mut self.account_name,
            &mut self.url,
            &mut self.shared,
            &mut self.shared_with,
            &mut self.planned_start,
            &mut self.purpose,
            &mut self.goals,
            &mut self.benefit,
            &mut self.target_groups,
            &mut self.why_not_existing,
            &mut self.planned_content,
            &mut self.frequency,
            &mut self.follow_up,
            &mut self.deputy_user_id,
            &mut self.editors,
            &mut self.hours_per_week,
            &mut self.monitoring,
            &mut self.response_time,
            &mut self.training,
            &mut self.training_date,
            &mut self.controller,
            &mut self.joint_controllers,
            &mut self.joint_agreement,
            &mut self.publishes_personal_data,
            &mut self.lawful_basis,
            &mut self.consent_justification,
            &mut self.children_data,
            &mut self.children_safeguards,
            &mut self.risk_assessment,
        ]
    }

    pub fn unit(&self) -> Option<i64> {
        self.unit_id.parse().ok()
    }
    pub fn platform(&self) -> Option<i64> {
        self.platform_id.parse().ok()
    }
    pub fn deputy(&self) -> Option<i64> {
        self.deputy_user_id.parse().ok()
    }
    pub fn account(&self) -> Option<i64> {
        self.account_id.parse().ok()
    }
    pub fn is_shared(&self) -> bool {
        self.shared == "delat"
    }

    /// Editors parsed from the lines that could be read.
    pub fn editor_list(&self) -> Vec<Editor> {
        self.editors.lines().filter_map(parse_editor).collect()
    }

    pub fn frequency_label(&self) -> &str {
        label_of(&FREQUENCIES, &self.frequency)
    }
    pub fn lawful_basis_label(&self) -> &str {
        label_of(&LAWFUL_BASES, &self.lawful_basis)
    }

    /// Every rule submission requires. Errors come in the order of the form.
    pub fn validate(&self, cx: &Context<'_>) -> FieldErrors {
        let mut e = FieldErrors::default();
        let required = |e: &mut FieldErrors, field: &str, value: &str, msg: &str| {
            if clean(value).is_none() {
                e.add(field, msg);
            } else if value.chars().count() > MAX_TEXT {
                e.add(field, format!("Texten får ha högst {MAX_TEXT} tecken."));
            }
        };
        // 1. Verksamhet
        if !self.unit().is_some_and(|u| cx.unit_ids.contains(&u)) {
            e.add("unit_id", "Välj den enhet kontot hör till. Enhetens chef skriver under blanketten.");
        }
        // 2. Kontot
        if cx.existing && !self.account().is_some_and(|a| cx.account_ids.contains(&a)) {
            e.add("account_id", "Välj vilket befintligt konto i registret blanketten gäller.");
        }
        if !self.platform().is_some_and(|p| cx.platform_ids.contains(&p)) {
            e.add("platform_id", "Välj plattform.");
        }
        required(&mut e, "account_name", &self.account_name, "Skriv vad kontot ska heta.");
        if self.account_name.chars().count() > MAX_LINE && !e.has("account_name") {
            e.add("account_name", format!("Namnet får ha högst {MAX_LINE} tecken."));
        }
        if cx.existing && clean(&self.url).is_none() {
            e.add("url", "Ett befintligt konto har en adress: skriv den, till exempel https://www.instagram.com/kontonamn.");
        } else if !self.url.is_empty() && !valid_url_or_handle(&self.url) {
            e.add("url", "Skriv adressen som https://… eller som @användarnamn.");
        }
        match self.shared.as_str() {
            "eget" => {}
            "delat" => required(
                &mut e,
                "shared_with",
                &self.shared_with,
                "Ett delat konto: skriv vilka enheter eller organisationer ni delar det med.",
            ),
            _ => e.add("shared", "Välj om kontot är förvaltningens eget eller delas med andra."),
        }
        if !self.planned_start.is_empty() && parse_date(&self.planned_start).is_none() {
            e.add("planned_start", "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2027-01-15.");
        }
        // 3. Syfte, mål och nytta
        required(&mut e, "purpose", &self.purpose, "Beskriv kontots syfte.");
        required(&mut e, "goals", &self.goals, "Skriv mätbara mål för kontot.");
        required(
            &mut e,
            "benefit",
            &self.benefit,
            "Beskriv nyttan och hur kontot hänger ihop med verksamhetens uppdrag.",
        );
        required(&mut e, "target_groups", &self.target_groups, "Skriv vilka målgrupper kontot ska nå.");
        required(
            &mut e,
            "why_not_existing",
            &self.why_not_existing,
            "Förklara varför stockholm.se och stadens gemensamma konton inte räcker.",
        );
        required(&mut e, "planned_content", &self.planned_content, "Beskriv vad ni planerar att publicera.");
        if !FREQUENCIES.iter().any(|(c, _)| *c == self.frequency) {
            e.add("frequency", "Välj hur ofta ni ska publicera.");
        }
        required(&mut e, "follow_up", &self.follow_up, "Beskriv hur ni följer upp målen.");
        // 4. Resurser och ansvar
        match self.deputy() {
            Some(d) if d == cx.owner_id => {
                e.add("deputy_user_id", "Ersättaren ska vara en annan person än kontoansvarig.")
            }
            Some(d) if cx.deputy_ids.contains(&d) => {}
            _ => e.add("deputy_user_id", "Välj en ersättare som kan sköta kontot när du inte kan."),
        }
        let bad_editor =
            self.editors.lines().filter(|l| !l.trim().is_empty()).any(|l| parse_editor(l).is_none());
        if bad_editor {
            e.add("editors", "Skriv en redaktör per rad som \"Namn, e-postadress\".");
        }
        match self.hours_per_week.trim().replace(',', ".").parse::<f64>() {
            Ok(h) if h > 0.0 && h <= 60.0 => {}
            _ => e.add("hours_per_week", "Ange hur många timmar per vecka som avsätts, till exempel 4."),
        }
        required(
            &mut e,
            "monitoring",
            &self.monitoring,
            "Beskriv hur kontot bevakas dagligen, även helger, helgdagar och semestrar.",
        );
        required(
            &mut e,
            "response_time",
            &self.response_time,
            "Ange hur snabbt ni svarar på frågor och kommentarer.",
        );
        match self.training.as_str() {
            "genomford" => {}
            "planerad" => {
                if parse_date(&self.training_date).is_none() {
                    e.add("training_date", "Skriv när utbildningen är planerad, som ÅÅÅÅ-MM-DD.");
                }
            }
            _ => e.add("training", "Svara om du har gått stadens utbildning i sociala medier."),
        }
        // 5. Personuppgifter
        required(&mut e, "controller", &self.controller, "Ange vem som är personuppgiftsansvarig.");
        if self.is_shared() {
            required(
                &mut e,
                "joint_controllers",
                &self.joint_controllers,
                "Ett delat konto innebär gemensamt personuppgiftsansvar: skriv med vilka.",
            );
            if !matches!(self.joint_agreement.as_str(), "ja" | "nej") {
                e.add("joint_agreement", "Svara om det finns en överenskommelse om det gemensamma ansvaret.");
            }
        }
        if !matches!(self.publishes_personal_data.as_str(), "ja" | "nej") {
            e.add("publishes_personal_data", "Svara om personuppgifter kommer att publiceras.");
        }
        if !LAWFUL_BASES.iter().any(|(c, _)| *c == self.lawful_basis) {
            e.add("lawful_basis", "Välj rättslig grund för behandlingen.");
        } else if self.lawful_basis == "samtycke" {
            required(
                &mut e,
                "consent_justification",
                &self.consent_justification,
                "Samtycke är sista utvägen: motivera varför ingen annan rättslig grund kan användas.",
            );
        }
        match self.children_data.as_str() {
            "nej" => {}
            "ja" => required(
                &mut e,
                "children_safeguards",
                &self.children_safeguards,
                "Beskriv hur barnens personuppgifter skyddas.",
            ),
            _ => e.add("children_data", "Svara om barns personuppgifter kommer att behandlas."),
        }
        if self.ack_incidents.is_none() {
            e.add(
                "ack_incidents",
                "Bekräfta att borttagna inlägg med känsliga uppgifter hanteras som personuppgiftsincidenter.",
            );
        }
        if self.ack_cloud.is_none() {
            e.add("ack_cloud", "Bekräfta att plattformen är en molntjänst utanför EU.");
        }
        // 6. Åtaganden
        for (field, value, msg) in [
            (
                "c_profile_picture",
                &self.c_profile_picture,
                "Kryssa i att kontot får den blå S:t Erik-profilbilden.",
            ),
            (
                "c_basic_info",
                &self.c_basic_info,
                "Kryssa i att grundinformationen följer Handledning i sociala medier.",
            ),
            (
                "c_credentials",
                &self.c_credentials,
                "Kryssa i att inloggningsuppgifterna lämnas till kommunikatören.",
            ),
            ("c_archiving", &self.c_archiving, "Kryssa i att kontot arkiveras varje december."),
            (
                "c_read_documents",
                &self.c_read_documents,
                "Kryssa i att du har läst policyn, handledningen och den lokala rutinen.",
            ),
        ] {
            if value.is_none() {
                e.add(field, msg);
            }
        }
        e
    }
}

/// The Swedish label of a publishing frequency code ("" when unknown).
pub(crate) fn frequency_label(code: &str) -> &'static str {
    label_of(&FREQUENCIES, code)
}

fn label_of<'a>(options: &[(&str, &'a str)], code: &str) -> &'a str {
    options.iter().find(|(c, _)| *c == code).map(|(_, l)| *l).unwrap_or("")
}

fn parse_editor(line: &str) -> Option<Editor> {
    let (name, email) = line.rsplit_once(',')?;
    let (name, email) = (name.trim(), email.trim());
    (!name.is_empty() && valid_email(email)).then(|| Editor { name: name.into(), email: email.into() })
}

/// `https://…` (or `http://…`) with a host, or an `@handle`.
pub(crate) fn valid_url_or_handle(s: &str) -> bool {
    let s = s.trim();
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) || s.len() > 500 {
        return false;
    }
    if let Some(h) = s.strip_prefix('@') {
        return !h.is_empty() && h.chars().all(|c| c.is_alphanumeric() || "._-@".contains(c));
    }
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| r.split('/').next().is_some_and(|host| host.contains('.') && !host.starts_with('.')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx() -> Context<'static> {
        Context {
            existing: false,
            unit_ids: &[1],
            platform_ids: &[2],
            deputy_ids: &[5, 6],
            account_ids: &[9],
            owner_id: 6,
        }
    }

    pub fn complete() -> FormContent {
        let on = Some("on".to_string());
        FormContent {
            unit_id: "1".into(),
            platform_id: "2".into(),
            account_name: "Förskolan Lärkan".into(),
            shared: "eget".into(),
            purpose: "p".into(),
            goals: "g".into(),
            benefit: "b".into(),
            target_groups: "t".into(),
            why_not_existing: "w".into(),
            planned_content: "c".into(),
            frequency: "varje_vecka".into(),
            follow_up: "f".into(),
            deputy_user_id: "5".into(),
            hours_per_week: "3,5".into(),
            monitoring: "m".into(),
            response_time: "r".into(),
            training: "genomford".into(),
            controller: "Östermalms stadsdelsnämnd".into(),
            publishes_personal_data: "nej".into(),
            lawful_basis: "allmant_intresse".into(),
            children_data: "nej".into(),
            ack_incidents: on.clone(),
            ack_cloud: on.clone(),
            c_profile_picture: on.clone(),
            c_basic_info: on.clone(),
            c_credentials: on.clone(),
            c_archiving: on.clone(),
            c_read_documents: on,
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_form_is_valid() {
        assert!(complete().validate(&cx()).is_empty(), "{:?}", complete().validate(&cx()));
    }

    #[test]
    fn an_empty_form_lists_every_required_field() {
        let e = FormContent::default().validate(&cx());
        let fields: Vec<&str> = e.0.iter().map(|(f, _)| f.as_str()).collect();
        for f in [
            "unit_id",
            "platform_id",
            "account_name",
            "shared",
            "purpose",
            "goals",
            "benefit",
            "target_groups",
            "why_not_existing",
            "planned_content",
            "frequency",
            "follow_up",
            "deputy_user_id",
            "hours_per_week",
            "monitoring",
            "response_time",
            "training",
            "controller",
            "publishes_personal_data",
            "lawful_basis",
            "children_data",
            "ack_incidents",
            "ack_cloud",
            "c_profile_picture",
            "c_basic_info",
            "c_credentials",
            "c_archiving",
            "c_read_documents",
        ] {
            assert!(fields.contains(&f), "missing {f}");
        }
    }

    #[test]
    fn conditional_rules() {
        let mut f = complete();
        f.lawful_basis = "samtycke".into();
        assert!(f.validate(&cx()).has("consent_justification"));
        f.consent_justification = "Ingen annan grund passar eftersom …".into();
        assert!(f.validate(&cx()).is_empty());

        let mut f = complete();
        f.children_data = "ja".into();
        assert!(f.validate(&cx()).has("children_safeguards"));

        let mut f = complete();
        f.shared = "delat".into();
        let e = f.validate(&cx());
        assert!(e.has("shared_with") && e.has("joint_controllers") && e.has("joint_agreement"));

        let mut f = complete();
        f.deputy_user_id = "6".into();
        assert_eq!(
            f.validate(&cx()).get("deputy_user_id"),
            Some("Ersättaren ska vara en annan person än kontoansvarig.")
        );

        let mut f = complete();
        f.editors = "Anna Andersson, anna@example.se\nbara ett namn".into();
        assert!(f.validate(&cx()).has("editors"));
        f.editors = "Anna Andersson, anna@example.se\n\nBo Ek, bo@example.se".into();
        assert!(f.validate(&cx()).is_empty());
        assert_eq!(f.editor_list().len(), 2);

        let mut f = complete();
        f.url = "javascript:alert(1)".into();
        assert!(f.validate(&cx()).has("url"));
        f.url = "@lärkan_förskola".into();
        assert!(f.validate(&cx()).is_empty());

        let existing = Context { existing: true, ..cx() };
        let e = complete().validate(&existing);
        assert!(e.has("account_id") && e.has("url"));
    }

    #[test]
    fn normalising_trims_and_drops_control_characters() {
        let f =
            FormContent { purpose: "  syfte\u{0}\u{7} med\nrad  ".into(), ..Default::default() }.normalised();
        assert_eq!(f.purpose, "syfte med\nrad");
    }
}
