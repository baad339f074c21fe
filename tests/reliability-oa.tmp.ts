import { startTestServer } from '/work/main/tests/helpers/server.ts';
const s = await startTestServer('pglite');
const doc = await (await s.fetch('/openapi.json')).json();
for (const [p, ops] of Object.entries<any>(doc.paths)) for (const [m, op] of Object.entries<any>(ops)) console.log(m.toUpperCase(), p, op.requestBody ? Object.keys(op.requestBody.content).join(',') : '', (op.parameters??[]).map((x:any)=>x.in+':'+x.name).join(' '));
await s.close();
