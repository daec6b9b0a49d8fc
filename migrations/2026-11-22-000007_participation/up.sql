-- Participation: public consultations with moderated comments, topic requests and
-- messages to leaders answered on the echo wall.

CREATE TABLE consultations (
    id                  uuid PRIMARY KEY,
    organization_id     uuid NOT NULL REFERENCES organizations (id),
    title               text NOT NULL,
    draft_text          text NOT NULL,
    opens_at            timestamptz NOT NULL,
    closes_at           timestamptz NOT NULL,
    state               text NOT NULL CHECK (state IN ('draft', 'open', 'closed', 'summarized')),
    feedback_summary    text,
    summarized_at       timestamptz,
    created_by          uuid NOT NULL REFERENCES users (id),
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (closes_at > opens_at)
);
CREATE INDEX consultations_org_idx ON consultations (organization_id, id);
CREATE INDEX consultations_creator_idx ON consultations (created_by);

CREATE TABLE consultation_comments (
    id              uuid PRIMARY KEY,
    consultation_id uuid NOT NULL REFERENCES consultations (id),
    author_id       uuid REFERENCES users (id),
    -- how the author wants to be shown (may be empty); contact details are never public
    display_name    text,
    contact         jsonb NOT NULL DEFAULT '{}',
    text            text NOT NULL,
    state           text NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
    rejection_reason text,
    adopted         boolean,
    adoption_note   text,
    submitted_at    timestamptz NOT NULL
);
CREATE INDEX consultation_comments_consultation_idx ON consultation_comments (consultation_id, submitted_at);
CREATE INDEX consultation_comments_author_idx ON consultation_comments (author_id);

CREATE TABLE public_messages (
    id                  uuid PRIMARY KEY,
    kind                text NOT NULL CHECK (kind IN ('topic_request', 'leader_message')),
    organization_id     uuid NOT NULL REFERENCES organizations (id),
    submitter_id        uuid REFERENCES users (id),
    submitter_name      text,
    contact             jsonb NOT NULL DEFAULT '{}',
    subject             text NOT NULL,
    text                text NOT NULL,
    state               text NOT NULL CHECK (state IN ('submitted', 'forwarded', 'answered', 'published')),
    submitted_at        timestamptz NOT NULL,
    forwarded_to        uuid REFERENCES organizations (id),
    forwarded_at        timestamptz,
    feedback_due        date,
    answer_kind         text,
    answer              text,
    disclosure_id       uuid REFERENCES disclosure_items (id),
    answered_at         timestamptz,
    published_at        timestamptz,
    version             integer NOT NULL DEFAULT 1
);
CREATE INDEX public_messages_org_idx ON public_messages (organization_id, state, id);
CREATE INDEX public_messages_forwarded_idx ON public_messages (forwarded_to, state);
CREATE INDEX public_messages_submitter_idx ON public_messages (submitter_id);
CREATE INDEX public_messages_disclosure_idx ON public_messages (disclosure_id);
CREATE INDEX public_messages_echo_idx ON public_messages (published_at DESC, id) WHERE state = 'published';
