-- Sessions end when a user is deactivated, and stay ended after reactivation:
-- the generation is part of what a session is bound to (with the password
-- hash), and deactivation increments it.
alter table users add column session_generation integer not null default 0;
