import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { AuraApiError, AuraClient, generateIdentity } from '../lib/aura-client.ts';
import { encryptKey, readKeyFile, writeKeyFile } from '../lib/key-file.ts';
import {
  auditStatePath,
  CliError,
  EXIT,
  forgetSession,
  keyPath,
  loadIdentity,
  loadSession,
  passphrase,
  saveSession,
  serverUrl,
  signedInClient,
} from './context.ts';
import { formatReport } from './format.ts';
import { importFolder } from './import.ts';

const program = new Command('aura')
  .description('Aura: provenance for human-made art')
  .option('--server <url>', 'Aura server (default $AURA_SERVER or http://localhost:8080)')
  // Throw instead of exiting, so a usage mistake exits with EXIT.usage like the CLI's own checks.
  .exitOverride();
const server = () => program.opts<{ server?: string }>().server;
const fileOf = (p: string) => {
  if (!fs.existsSync(p)) throw new CliError(`no such file: ${p}`, 2);
  return { bytes: fs.readFileSync(p), filename: path.basename(p) };
};
const print = (value: unknown) => console.log(typeof value === 'string' ? value : JSON.stringify(value, null, 2));

program
  .command('keygen')
  .description('create an Ed25519 key, saved encrypted with a passphrase')
  .option('--out <file>', 'key file', keyPath())
  .option('--force', 'overwrite an existing key file')
  .action(async (o: { out: string; force?: boolean }) => {
    if (fs.existsSync(o.out) && !o.force) throw new CliError(`${o.out} exists; use --force to replace it (the old key would be lost)`, 2);
    const secret = await passphrase('New passphrase: ');
    if (secret.length < 8) throw new CliError('choose a passphrase of at least 8 characters', 2);
    const identity = await generateIdentity();
    writeKeyFile(o.out, await encryptKey(identity, secret));
    print(`key ${identity.kid} saved to ${o.out}`);
  });

const account = program.command('account').description('accounts');
account
  .command('create')
  .requiredOption('--handle <handle>')
  .requiredOption('--name <displayName>')
  .option('--kind <kind>', 'artist or organization', 'artist')
  .option('--bio <bio>')
  .option('--website <url>')
  .option('--key <file>')
  .action(async (o: { handle: string; name: string; kind: string; bio?: string; website?: string; key?: string }) => {
    if (o.kind !== 'artist' && o.kind !== 'organization') throw new CliError('--kind must be artist or organization', 2);
    const identity = await loadIdentity(o.key);
    const created = await new AuraClient(serverUrl(server())).createAccount(identity, {
      handle: o.handle,
      displayName: o.name,
      kind: o.kind,
      ...(o.bio ? { bio: o.bio } : {}),
      ...(o.website ? { website: o.website } : {}),
    });
    print(`account @${created.handle} created (${created.kind}, key ${identity.kid})`);
  });

program
  .command('login')
  .description('sign in by signing the server’s challenge with your key')
  .option('--key <file>')
  .option('--audience <url>', 'the registry’s public URL the sign-in is signed for (default: the server URL)')
  .action(async (o: { key?: string; audience?: string }) => {
    const url = serverUrl(server());
    const client = new AuraClient(url);
    if (o.audience) client.audience = o.audience.replace(/\/+$/, '');
    const session = await client.signIn(await loadIdentity(o.key));
    saveSession({ server: url, token: session.token, handle: session.account.handle, expiresAt: session.expiresAt });
    print(`signed in to ${url} as @${session.account.handle} until ${session.expiresAt}`);
  });

program
  .command('logout')
  .description('end the session on the server (at once, in every process) and forget it here')
  .action(async () => {
    if (!loadSession()) throw new CliError('not logged in', 2);
    await signedInClient(server()).signOut();
    forgetSession();
    print('signed out');
  });

program.command('whoami').action(async () => {
  const me = await signedInClient(server()).request('GET', '/v1/auth/session');
  print(`@${me.account.handle} (${me.account.kind}) on ${loadSession()!.server}, key ${me.kid}`);
});

program
  .command('register <image>')
  .requiredOption('--title <title>')
  .option('--year <year>')
  .option('--medium <medium>')
  .option('--statement <text>')
  .option('--source-type <term>', 'IPTC digitalSourceType term', 'digitalCreation')
  .option('--process <ids>', 'comma-separated process image ids logged earlier')
  .option('--key <file>')
  .action(
    async (
      image: string,
      o: { title: string; year?: string; medium?: string; statement?: string; sourceType: string; process?: string; key?: string },
    ) => {
      const client = signedInClient(server());
      const identity = await loadIdentity(o.key);
      const result = await client.registerWork(identity, fileOf(image), {
        title: o.title,
        ...(o.year ? { year: Number(o.year) } : {}),
        ...(o.medium ? { medium: o.medium } : {}),
        ...(o.statement ? { statement: o.statement } : {}),
        digitalSourceType: o.sourceType,
        ...(o.process ? { processIds: o.process.split(',') } : {}),
      });
      print(
        result.existing
          ? `already registered: ${client.baseUrl}/w/${result.workId}`
          : `registered ${result.receipt.url} (log index ${result.receipt.logIndex})`,
      );
    },
  );

program
  .command('process <image> [work]')
  .description('log a work-in-progress image (before the final: omit work and pass the id to register --process)')
  .option('--note <note>')
  .option('--key <file>')
  .action(async (image: string, work: string | undefined, o: { note?: string; key?: string }) => {
    const receipt = await signedInClient(server()).addProcessImage(await loadIdentity(o.key), fileOf(image), work, o.note);
    print(`process image ${receipt.processId} logged at index ${receipt.logIndex}`);
  });

program
  .command('attest <work>')
  .requiredOption('--type <type>', 'witnessed-creation | studio-visit | exhibited | acquired-from-artist | expert-opinion')
  .option('--note <note>')
  .option('--date <yyyy-mm-dd>')
  .option('--key <file>')
  .action(async (work: string, o: { type: string; note?: string; date?: string; key?: string }) => {
    const issued = await signedInClient(server()).attest(await loadIdentity(o.key), work, {
      type: o.type,
      ...(o.note ? { note: o.note } : {}),
      ...(o.date ? { date: o.date } : {}),
    });
    print(`attestation ${issued.attestationId} logged at index ${issued.logIndex}`);
  });

program
  .command('revoke <work>')
  .option('--reason <reason>')
  .option('--key <file>')
  .action(async (work: string, o: { reason?: string; key?: string }) => {
    const r = await signedInClient(server()).revokeWork(await loadIdentity(o.key), work, o.reason);
    print(`work ${r.workId} revoked (log index ${r.logIndex})`);
  });

program
  .command('dispute <work>')
  .requiredOption('--reason <reason>', 'ai-generated | not-the-author | copied')
  .requiredOption('--text <text>')
  .option('--key <file>')
  .action(async (work: string, o: { reason: string; text: string; key?: string }) => {
    const r = await signedInClient(server()).dispute(await loadIdentity(o.key), work, o.reason, o.text);
    print(`dispute ${r.disputeId} logged at index ${r.logIndex}`);
  });

program
  .command('verify <image>')
  .option('--json', 'machine-readable report')
  .action(async (image: string, o: { json?: boolean }) => {
    const report = await new AuraClient(serverUrl(server())).verify(fileOf(image));
    print(o.json ? report : formatReport(report));
  });

program
  .command('import <folder>')
  .description('register every image in a folder (resumable; progress in <folder>/.aura-import.json)')
  .option('--medium <medium>')
  .option('--year <year>')
  .option('--source-type <term>', 'IPTC digitalSourceType term', 'digitalCreation')
  .option('--key <file>')
  .action(async (folder: string, o: { medium?: string; year?: string; sourceType: string; key?: string }) => {
    const summary = await importFolder(signedInClient(server()), await loadIdentity(o.key), folder, o);
    print(summary.text);
    if (summary.failed > 0) process.exitCode = 1;
  });

program
  .command('content-credentials <work> <image>')
  .description('download your registered work with Content Credentials: a C2PA manifest signed by the registry, embedded in the same file')
  .requiredOption('--out <file>', 'where to write the credentialed image')
  .action(async (work: string, image: string, o: { out: string }) => {
    const result = await signedInClient(server()).contentCredentials(work, fileOf(image));
    fs.writeFileSync(o.out, result.bytes);
    print(`wrote ${o.out} (${result.type}, ${result.bytes.length} bytes) with C2PA manifest ${result.manifestId}`);
  });

program
  .command('verify-bundle <bundle> [image]')
  .description(
    'verify a proof bundle offline: signatures, key validity, inclusion proofs, checkpoint, the image, and the evidence level; <bundle> may be an image with Aura Content Credentials',
  )
  .option(
    '--trust <key>',
    'an operator key you trust to verify organisations (JWK or JWKS, file or inline; repeatable); default: the key in the bundle',
    (v: string, all: string[]) => [...all, v],
    [] as string[],
  )
  .action(async (bundle: string, image: string | undefined, o: { trust: string[] }) => {
    const { runVerifyBundle } = await import('./verify-bundle.ts');
    process.exitCode = await runVerifyBundle(bundle, image, console.log, { trust: o.trust });
  });

const operator = program
  .command('operator')
  .description(
    "the registry operator's commands: run where the server's data is (same DATABASE_URL or AURA_DATA_DIR, and AURA_OPERATOR_KEY if set)",
  );
operator
  .command('verify-organization <handle>')
  .description('vouch for an organisation: its attestations raise works to level 3 (a signed organization.verified log entry)')
  .option('--note <text>', 'what the operator checked, shown on the profile')
  .option('--domain <domain>', 'the domain the operator checked belongs to the organisation')
  .action(async (handle: string, o: { note?: string; domain?: string }) => {
    const { runOperator } = await import('./operator.ts');
    await runOperator({ kind: 'verify', handle, note: o.note, domain: o.domain }, print);
  });
operator
  .command('withdraw-organization <handle>')
  .description('withdraw a verification: works relying on its attestations drop below level 3 (a signed organization.withdrawn log entry)')
  .requiredOption('--reason <text>', 'why, shown on the profile and in the log')
  .action(async (handle: string, o: { reason: string }) => {
    const { runOperator } = await import('./operator.ts');
    await runOperator({ kind: 'withdraw', handle, reason: o.reason }, print);
  });

program
  .command('audit <server>')
  .description('monitor a log: check the new checkpoint is consistent with the last one seen')
  .option('--state <file>', 'where the last checkpoint seen is kept (default: under AURA_HOME, one file per server)')
  .action(async (url: string, o: { state?: string }) => {
    const { runAudit } = await import('./audit.ts');
    process.exitCode = await runAudit(url, o.state ?? auditStatePath(url), console.log);
  });

program
  .command('key-info [file]')
  .description('show the kid of a key file without decrypting it')
  .action((file?: string) => {
    if (!fs.existsSync(keyPath(file))) throw new CliError(`no key file at ${keyPath(file)}; run \`aura keygen\` first`, EXIT.usage);
    const key = readKeyFile(keyPath(file));
    print({ kid: key.kid, publicJwk: key.publicJwk });
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // commander has already printed the message or the help
    process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (err instanceof AuraApiError) {
    console.error(`error: ${err.problem.detail ?? err.message} (${err.status} ${err.problem.code ?? ''})`);
    process.exitCode = err.status === 401 ? EXIT.notSignedIn : EXIT.failed;
  } else if (err instanceof CliError) {
    console.error(`error: ${err.message}`);
    process.exitCode = err.exitCode;
  } else if (err instanceof TypeError && /fetch failed/.test(err.message)) {
    console.error(`error: cannot reach the server ${serverUrl(server())}`);
    process.exitCode = EXIT.unreachable;
  } else {
    console.error(`error: ${(err as Error).message}`);
    process.exitCode = EXIT.failed;
  }
}
