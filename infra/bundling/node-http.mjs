// `node:http` for ESM code in a bundle (the Powertools tracer's), loaded with require. An ES import of
// `node:http` makes Node build the module's ES namespace, which reads every export, and one of them
// loads Node's bundled undici: about 14 ms of cold start, for functions that never fetch. `require`
// returns the same module object, which is what the tracer patches. (`node:https` has no such export.)
import { createRequire } from 'node:module';

export default createRequire(import.meta.url)('node:http');
