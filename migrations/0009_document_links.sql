-- Each version of a governing document links to where it is published, so
-- that those asked to confirm they have read it can open it.
alter table documents add column url text not null default '';
