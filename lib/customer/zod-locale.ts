/**
 * zod/mini installs no locale, so without this every issue message would be a bare "Invalid input".
 * API problem bodies, configuration errors and CLI reports show these messages (classic zod set English
 * by default). Imported for its effect by the modules that surface messages; the locale is global.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());
