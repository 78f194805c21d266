import journal from './meta/_journal.json';
import m0000 from './0000_initial.sql';
import m0001 from './0001_event-log-append-only.sql';
import m0002 from './0002_access-and-ingestion.sql';
import m0003 from './0003_scoring.sql';
import m0004 from './0004_lead-scores-immutable.sql';
import m0005 from './0005_jobs.sql';
import m0006 from './0006_analytics.sql';
import m0007 from './0007_job-runs-skipped.sql';
import m0008 from './0008_lead-list-indexes.sql';
import m0009 from './0009_lead-list-index-ties.sql';
import m0010 from './0010_dashboard-sessions.sql';
import m0011 from './0011_deal-stage-id-and-score-source.sql';
import m0012 from './0012_money-in-major-units.sql';
import m0013 from './0013_tenant-schema.sql';
import m0014 from './0014_people.sql';
import m0015 from './0015_passkeys.sql';
import m0016 from './0016_drop-legacy-dashboard-sessions.sql';
import m0017 from './0017_search-index.sql';
import m0018 from './0018_search-backfill.sql';
import m0019 from './0019_event-chain.sql';
import m0020 from './0020_drop-events-at-index.sql';
import m0021 from './0021_relation-indexes-skip-null.sql';
import m0022 from './0022_leadscores-leave-search.sql';

  export default {
    journal,
    migrations: {
      m0000,
m0001,
m0002,
m0003,
m0004,
m0005,
m0006,
m0007,
m0008,
m0009,
m0010,
m0011,
m0012,
m0013,
m0014,
m0015,
m0016,
m0017,
m0018,
m0019,
m0020,
m0021,
m0022
    }
  }
  