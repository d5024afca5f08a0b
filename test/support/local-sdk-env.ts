// Imported for its effect, before any handler module loads: the SDK needs a region and
// credentials (the local stand-ins accept any), and the handlers' logger and metrics stay quiet.
import { LOCAL_REGION } from '../../local/index.js';

process.env.AWS_REGION = LOCAL_REGION;
process.env.AWS_ACCESS_KEY_ID = 'local';
process.env.AWS_SECRET_ACCESS_KEY = 'local';
delete process.env.AWS_PROFILE;
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
