-- Public verification and open data.

-- The address in its normal form (accounts::address): the same account
-- cannot be registered twice while it is not closed. Filled in by the
-- application (also for rows that existed before this migration).
alter table accounts add column url_key text;
create unique index accounts_url_key on accounts (url_key) where url_key is not null and state <> 'closed';

-- Whether the account is listed in the open-data files (the communicator decides).
alter table accounts add column open_data boolean not null default true;

-- Every address an account has had, so that an old one is still recognised:
-- "this was the city's account until …".
create table account_addresses (
    account_id bigint not null references accounts,
    url_key text not null,
    handle text,
    url text not null,
    used_from timestamptz not null default now(),
    -- When the account stopped using it (its address was changed); null while current.
    replaced_at timestamptz,
    primary key (account_id, url_key)
);
create index account_addresses_key on account_addresses (url_key);
create index account_addresses_handle on account_addresses (handle) where handle is not null;

-- Where the public reports a suspected fake account of the organisation.
alter table organisations add column public_contact text not null default '';
