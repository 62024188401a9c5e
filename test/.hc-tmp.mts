import { startTestIdp } from '/work/main/test/support/idp.ts';
import { spawnSync } from 'node:child_process';
const idp = await startTestIdp();
const r = spawnSync(process.execPath, ['/work/main/deploy/healthcheck.mjs'], { env: { PATH: process.env.PATH, EID_IDP_OIDC_PORT: String(idp.ports.oidc) }, encoding: 'utf8' });
console.log(r.status, r.stdout, r.stderr);
const r2 = spawnSync(process.execPath, ['-e', `require('node:https').get({host:'127.0.0.1',port:${idp.ports.oidc},path:'/healthz',rejectUnauthorized:false},(r)=>{console.log(r.statusCode);process.exit(0)}).on('error',(e)=>{console.log(e);process.exit(1)})`], { encoding: 'utf8' });
console.log(r2.status, r2.stdout, r2.stderr);
await idp.close();
