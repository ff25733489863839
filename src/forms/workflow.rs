//! The startup form's workflow as data: its states, the actions, and who may
//! take each action from which state. Pure: handlers ask `transition` and then
//! apply the answer as one guarded UPDATE.
//!
//! ```text
//! draft --submit--> awaiting_manager --sign--> in_review --approve--> approved
//!   ^                   |                        |  |  |--reject--> rejected
//!   |                   '--return (comment)------'  |  '--book_meeting--> meeting_booked
//!   '-----------return_for_completion (comment)-----'      --approve/reject/return-->
//! draft/awaiting_manager/in_review/meeting_booked --withdraw (owner)--> withdrawn
//! ```
//! An owner's edit after signing sends the form back to `awaiting_manager`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
#[sqlx(type_name = "form_state", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub(crate) enum FormState {
    Draft,
    AwaitingManager,
    InReview,
    MeetingBooked,
    Approved,
    Rejected,
    Withdrawn,
}

impl FormState {
    pub const ALL: [FormState; 7] = [
        FormState::Draft,
        FormState::AwaitingManager,
        FormState::InReview,
        FormState::MeetingBooked,
        FormState::Approved,
        FormState::Rejected,
        FormState::Withdrawn,
    ];

    pub fn label(&self) -> &'static str {
        match self {
            FormState::Draft => "Utkast",
            FormState::AwaitingManager => "Väntar på chefens underskrift",
            FormState::InReview => "Granskas",
            FormState::MeetingBooked => "Möte bokat",
            FormState::Approved => "Godkänd",
            FormState::Rejected => "Avslagen",
            FormState::Withdrawn => "Återkallad",
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            FormState::Draft => "draft",
            FormState::AwaitingManager => "awaiting_manager",
            FormState::InReview => "in_review",
            FormState::MeetingBooked => "meeting_booked",
            FormState::Approved => "approved",
            FormState::Rejected => "rejected",
            FormState::Withdrawn => "withdrawn",
        }
    }

    /// The label for a form, telling a returned form (a draft that already
    /// has a case number) from one never sent.
    pub fn label_for(&self, case_number: Option<&str>) -> &'static str {
        match (self, case_number) {
            (FormState::Draft, Some(_)) => RETURNED_LABEL,
            _ => self.label(),
        }
    }

    pub fn from_code(code: &str) -> Option<FormState> {
        FormState::ALL.into_iter().find(|s| s.code() == code)
    }

    /// No further transitions.
    #[cfg(test)]
    pub fn is_final(&self) -> bool {
        matches!(self, FormState::Approved | FormState::Rejected | FormState::Withdrawn)
    }
}

/// What someone does to a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Action {
    /// The owner saves changes to the content.
    Edit,
    Submit,
    Sign,
    /// The manager sends it back to the owner.
    Return,
    Comment,
    RequestCompletion,
    BookMeeting,
    Approve,
    Reject,
    Withdraw,
}

impl Action {
    #[cfg(test)]
    pub const ALL: [Action; 10] = [
        Action::Edit,
        Action::Submit,
        Action::Sign,
        Action::Return,
        Action::Comment,
        Action::RequestCompletion,
        Action::BookMeeting,
        Action::Approve,
        Action::Reject,
        Action::Withdraw,
    ];

    /// Code stored in the history and the audit log.
    pub fn code(&self) -> &'static str {
        match self {
            Action::Edit => "edit",
            Action::Submit => "submit",
            Action::Sign => "sign",
            Action::Return => "return",
            Action::Comment => "comment",
            Action::RequestCompletion => "return_for_completion",
            Action::BookMeeting => "book_meeting",
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::Withdraw => "withdraw",
        }
    }

    /// The label of its button.
    pub fn button(&self) -> &'static str {
        match self {
            Action::Edit => "Spara ändringar",
            Action::Submit => "Skicka till chef för underskrift",
            Action::Sign => "Skriv under",
            Action::Return => "Skicka tillbaka",
            Action::Comment => "Lägg till kommentar",
            Action::RequestCompletion => "Begär komplettering",
            Action::BookMeeting => "Boka möte",
            Action::Approve => "Godkänn",
            Action::Reject => "Avslå",
            Action::Withdraw => "Återkalla",
        }
    }

    /// Whether a comment (or reason) is required.
    pub fn needs_comment(&self) -> bool {
        matches!(self, Action::Return | Action::Comment | Action::RequestCompletion | Action::Reject)
    }
}

/// A draft sent back to its owner after submission.
pub(crate) const RETURNED_LABEL: &str = "Skickad tillbaka för komplettering";

/// In what capacity a user acts on a particular form. One user may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Capacity {
    /// The form's owner (its author).
    Owner,
    /// A manager of the form's unit.
    Manager,
    /// A communicator of the form's organisation.
    Communicator,
    /// A strategist of the form's organisation.
    Strategist,
    /// Holds the organisation's delegated decision right.
    Decider,
}

#[cfg(test)]
impl Capacity {
    pub const ALL: [Capacity; 5] =
        [Capacity::Owner, Capacity::Manager, Capacity::Communicator, Capacity::Strategist, Capacity::Decider];
}

/// The state `action` leads to when taken by `capacity` from `state`, or `None`
/// when it is not allowed. `Edit` of a signed form leads back to the manager.
pub(crate) fn transition(state: FormState, action: Action, capacity: Capacity) -> Option<FormState> {
    use Action as A;
    use Capacity as C;
    use FormState as S;
    let reviewer = matches!(capacity, C::Communicator | C::Strategist | C::Decider);
    match (action, state) {
        (A::Edit, S::Draft | S::AwaitingManager) if capacity == C::Owner => Some(state),
        (A::Edit, S::InReview | S::MeetingBooked) if capacity == C::Owner => Some(S::AwaitingManager),
        (A::Submit, S::Draft) if capacity == C::Owner => Some(S::AwaitingManager),
        (A::Sign, S::AwaitingManager) if capacity == C::Manager => Some(S::InReview),
        (A::Return, S::AwaitingManager) if capacity == C::Manager => Some(S::Draft),
        (A::Comment, S::InReview | S::MeetingBooked) if reviewer => Some(state),
        (A::RequestCompletion, S::InReview | S::MeetingBooked) if reviewer => Some(S::Draft),
        (A::BookMeeting, S::InReview | S::MeetingBooked) if capacity == C::Decider => Some(S::MeetingBooked),
        (A::Approve, S::InReview | S::MeetingBooked) if capacity == C::Decider => Some(S::Approved),
        (A::Reject, S::InReview | S::MeetingBooked) if capacity == C::Decider => Some(S::Rejected),
        (A::Withdraw, S::Draft | S::AwaitingManager | S::InReview | S::MeetingBooked)
            if capacity == C::Owner =>
        {
            Some(S::Withdrawn)
        }
        _ => None,
    }
}

/// The first capacity among `held` that may take `action` from `state`, with the new state.
/// The owner never decides on their own form, even when they also hold the
/// decision right.
pub(crate) fn allowed(state: FormState, action: Action, held: &[Capacity]) -> Option<(Capacity, FormState)> {
    let owner = held.contains(&Capacity::Owner);
    held.iter()
        .filter(|c| !(owner && **c == Capacity::Decider))
        .find_map(|c| transition(state, action, *c).map(|s| (*c, s)))
}

/// Who acts next, in words, for the form page and the lists.
pub(crate) fn next_actor(state: FormState) -> &'static str {
    match state {
        FormState::Draft => "Kontoansvarig fyller i och skickar blanketten",
        FormState::AwaitingManager => "Chefen för enheten skriver under",
        FormState::InReview => "Kommunikatör och kommunikationsstrateg granskar; beslut fattas",
        FormState::MeetingBooked => "Möte för genomgång; därefter beslut",
        FormState::Approved | FormState::Rejected | FormState::Withdrawn => "Ingen: ärendet är avslutat",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action as A;
    use Capacity as C;
    use FormState as S;

    /// The complete table: every allowed (state, action, capacity) and its result.
    /// Everything not listed must be refused.
    fn expected() -> Vec<(S, A, C, S)> {
        let mut v = vec![
            (S::Draft, A::Edit, C::Owner, S::Draft),
            (S::AwaitingManager, A::Edit, C::Owner, S::AwaitingManager),
            (S::InReview, A::Edit, C::Owner, S::AwaitingManager),
            (S::MeetingBooked, A::Edit, C::Owner, S::AwaitingManager),
            (S::Draft, A::Submit, C::Owner, S::AwaitingManager),
            (S::AwaitingManager, A::Sign, C::Manager, S::InReview),
            (S::AwaitingManager, A::Return, C::Manager, S::Draft),
        ];
        for s in [S::InReview, S::MeetingBooked] {
            for c in [C::Communicator, C::Strategist, C::Decider] {
                v.push((s, A::Comment, c, s));
                v.push((s, A::RequestCompletion, c, S::Draft));
            }
            v.push((s, A::BookMeeting, C::Decider, S::MeetingBooked));
            v.push((s, A::Approve, C::Decider, S::Approved));
            v.push((s, A::Reject, C::Decider, S::Rejected));
        }
        for s in [S::Draft, S::AwaitingManager, S::InReview, S::MeetingBooked] {
            v.push((s, A::Withdraw, C::Owner, S::Withdrawn));
        }
        v
    }

    #[test]
    fn every_state_action_and_capacity() {
        let table = expected();
        let mut allowed_count = 0;
        for s in S::ALL {
            for a in A::ALL {
                for c in C::ALL {
                    let want =
                        table.iter().find(|(ts, ta, tc, _)| *ts == s && *ta == a && *tc == c).map(|t| t.3);
                    assert_eq!(transition(s, a, c), want, "{s:?} {a:?} {c:?}");
                    allowed_count += usize::from(want.is_some());
                }
            }
        }
        assert_eq!(allowed_count, table.len());
    }

    #[test]
    fn final_states_allow_nothing() {
        for s in [S::Approved, S::Rejected, S::Withdrawn] {
            assert!(s.is_final());
            for a in A::ALL {
                assert_eq!(allowed(s, a, &C::ALL), None, "{s:?} {a:?}");
            }
        }
    }

    #[test]
    fn a_strategist_without_the_delegation_cannot_decide() {
        assert_eq!(allowed(S::InReview, A::Approve, &[C::Strategist, C::Communicator]), None);
        assert_eq!(
            allowed(S::InReview, A::Approve, &[C::Strategist, C::Decider]),
            Some((C::Decider, S::Approved))
        );
        // A manager who is also the owner cannot sign as owner, only as manager.
        assert_eq!(allowed(S::AwaitingManager, A::Sign, &[C::Owner]), None);
    }

    #[test]
    fn comments_are_required_where_the_routine_says_so() {
        let need: Vec<A> = A::ALL.into_iter().filter(|a| a.needs_comment()).collect();
        assert_eq!(need, vec![A::Return, A::Comment, A::RequestCompletion, A::Reject]);
    }

    #[test]
    fn state_codes_round_trip() {
        for s in S::ALL {
            assert_eq!(FormState::from_code(s.code()), Some(s));
        }
        assert_eq!(FormState::from_code("nope"), None);
    }

    #[test]
    fn the_owner_never_decides_on_their_own_form() {
        use Capacity as C;
        for action in [Action::Approve, Action::Reject, Action::BookMeeting] {
            assert_eq!(allowed(FormState::InReview, action, &[C::Owner, C::Decider]), None, "{action:?}");
            assert!(allowed(FormState::InReview, action, &[C::Decider]).is_some(), "{action:?}");
        }
        // Owning the form does not stop its owner from editing or withdrawing it.
        assert!(allowed(FormState::InReview, Action::Withdraw, &[C::Owner, C::Decider]).is_some());
    }
}
