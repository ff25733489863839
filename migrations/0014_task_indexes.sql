-- "Att göra" of a communicator: the first accounts whose credentials are not
-- confirmed, by name, without reading every account of the organisation.
create index accounts_credentials_missing on accounts (organisation_id, lower(name), account_id)
    where state = 'active' and credentials_confirmed_at is null;
