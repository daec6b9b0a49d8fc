DROP TABLE public_messages;
DROP TABLE consultation_comments;
DROP TABLE consultations;
