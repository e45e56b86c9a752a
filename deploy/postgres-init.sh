#!/bin/sh
# PostgreSQL's first start in docker-compose.yml (the image runs /docker-entrypoint-initdb.d/ once, on an
# empty data folder): the service's role and database, made with psql as bot/scaled.py makes them for
# make run-scaled (not with Rasa's login_db). Names and password are read from the environment inside
# psql (\getenv; :'x' quotes a value, format's %I and %L quote names and literals): never on a command
# line, never in a file.
set -eu
psql -v ON_ERROR_STOP=1 -X -q --username postgres --dbname postgres <<'SQL'
\getenv db FAMILY_HELP_DB_NAME
\getenv role FAMILY_HELP_DB_USER
\getenv password FAMILY_HELP_DB_PASSWORD
SELECT format('CREATE ROLE %I LOGIN', :'role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role')\gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', :'role', :'password')\gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db')\gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db')\gexec
SELECT format('GRANT ALL ON DATABASE %I TO %I', :'db', :'role')\gexec
SQL
