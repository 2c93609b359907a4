// VS Code client for the abi3ls language server (`abi3ls serve`).
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { resolveServer, ServerNotFoundError } from './serverPath';
import { describe, FILE_STATUS_METHOD, FileStatus, parseFileStatus, statusText } from './status';

const SECTION = 'abi3ls';
const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('abi3ls');

const SETTING_KEYS = ['target', 'abi3t', 'audit', 'severity', 'select', 'ignore', 'includeDirs', 'exclude'];

/**
 * The server settings the user set explicitly (user, workspace or folder), so
 * that the extension's defaults never override a project's abi3ls.toml. Sent
 * as initializationOptions, under "abi3ls" with didChangeConfiguration, and as
 * the answer to workspace/configuration for the "abi3ls" section.
 */
export function serverSettings(cfg: vscode.WorkspaceConfiguration): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const i = cfg.inspect(key);
    const v = i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
    if (v === undefined || (key === 'target' && typeof v === 'string' && v.trim() === '')) {
      continue;
    }
    out[key] = typeof v === 'string' ? v.trim() : v;
  }
  return out;
}

function isCFamily(doc: vscode.TextDocument | undefined): doc is vscode.TextDocument {
  return doc !== undefined && (doc.languageId === 'c' || doc.languageId === 'cpp');
}

class Abi3ls implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly output: vscode.LogOutputChannel;
  private readonly trace: vscode.LogOutputChannel;
  private readonly status: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private statusTimer: NodeJS.Timeout | undefined;
  private statusSeq = 0;
  private lastError = '';
  private starting: Promise<void> | undefined;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('abi3ls', { log: true });
    this.trace = vscode.window.createOutputChannel('abi3ls (trace)', { log: true });
    this.status = vscode.window.createStatusBarItem('abi3ls.status', vscode.StatusBarAlignment.Right, 100);
    this.status.name = 'abi3ls target';
    this.status.command = 'abi3ls.showMinimumTarget';
    this.disposables.push(this.output, this.trace, this.status);
  }

  private log(msg: string): void {
    this.output.info(`[client] ${msg}`);
  }

  async start(): Promise<void> {
    if (this.starting === undefined) {
      this.starting = this.doStart().finally(() => {
        this.starting = undefined;
      });
    }
    return this.starting;
  }

  private async doStart(): Promise<void> {
    const cfg = vscode.workspace.getConfiguration(SECTION);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    let command: string;
    try {
      const found = resolveServer(cfg.get<string>('path', ''), this.context.extensionPath, folder);
      command = found.command;
      this.log(`server: ${command} (from ${found.source})`);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.lastError = msg;
      this.log(msg);
      this.showError();
      const open = 'Open Settings';
      void vscode.window.showErrorMessage(msg, open, 'Show Output').then((choice) => {
        if (choice === open) {
          void vscode.commands.executeCommand('workbench.action.openSettings', 'abi3ls.path');
        } else if (choice === 'Show Output') {
          this.output.show(true);
        }
      });
      if (!(e instanceof ServerNotFoundError)) {
        throw e;
      }
      return;
    }

    const serverOptions: ServerOptions = {
      command,
      args: ['serve'],
      transport: TransportKind.stdio,
      options: { cwd: folder },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: 'c' },
        { scheme: 'file', language: 'cpp' },
        { scheme: 'untitled', language: 'c' },
        { scheme: 'untitled', language: 'cpp' },
      ],
      initializationOptions: serverSettings(cfg),
      outputChannel: this.output,
      traceOutputChannel: this.trace,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      middleware: {
        workspace: {
          // Answer the server's pull for "abi3ls" with the explicit settings only.
          configuration: async (params, token, next) => {
            const rest = params.items.filter((it) => it.section !== SECTION);
            const answered = rest.length > 0 ? await next({ items: rest }, token) : [];
            if (!Array.isArray(answered)) {
              return answered;
            }
            let k = 0;
            return params.items.map((it) =>
              it.section === SECTION
                ? serverSettings(
                    vscode.workspace.getConfiguration(
                      SECTION,
                      it.scopeUri !== undefined ? vscode.Uri.parse(it.scopeUri) : undefined,
                    ),
                  )
                : answered[k++],
            );
          },
        },
      },
      // Do not restart in a tight loop when the binary crashes at once.
      connectionOptions: { maxRestartCount: 4 },
    };
    const client = new LanguageClient('abi3ls', 'abi3ls', serverOptions, clientOptions);
    this.client = client;
    client.onDidChangeState((e) => {
      if (e.newState === State.Stopped && this.client === client) {
        this.lastError = 'the abi3ls server stopped (see the output channel)';
        this.showError();
      }
    });
    try {
      await client.start();
      this.lastError = '';
      this.log(`started ${client.initializeResult?.serverInfo?.name ?? 'abi3ls'} ${client.initializeResult?.serverInfo?.version ?? ''}`);
    } catch (e) {
      const msg = `abi3ls: the server (${command}) failed to start: ${e instanceof Error ? e.message : String(e)}`;
      this.lastError = msg;
      this.log(msg);
      this.showError();
      void vscode.window.showErrorMessage(msg, 'Show Output').then((c) => c && this.output.show(true));
      return;
    }
    this.scheduleStatus();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) {
      try {
        await client.stop(5000);
      } catch (e) {
        this.log(`stop: ${e instanceof Error ? e.message : String(e)}`);
      }
      await client.dispose().catch(() => undefined);
    }
  }

  async restart(): Promise<void> {
    this.log('restarting');
    await this.stop();
    await this.start();
  }

  private showError(): void {
    this.status.text = '$(error) abi3ls';
    this.status.tooltip = this.lastError;
    this.status.command = 'abi3ls.showOutput';
    this.status.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    this.status.show();
  }

  /** Refreshes the status bar soon (debounced). */
  scheduleStatus(): void {
    if (this.statusTimer !== undefined) {
      clearTimeout(this.statusTimer);
    }
    this.statusTimer = setTimeout(() => {
      this.statusTimer = undefined;
      void this.updateStatus();
    }, 150);
  }

  async fileStatus(doc: vscode.TextDocument): Promise<FileStatus | undefined> {
    const client = this.client;
    if (client === undefined || !client.isRunning()) {
      return undefined;
    }
    const raw = await client.sendRequest(FILE_STATUS_METHOD, {
      textDocument: { uri: client.code2ProtocolConverter.asUri(doc.uri) },
    });
    return parseFileStatus(raw);
  }

  private async updateStatus(): Promise<void> {
    const doc = vscode.window.activeTextEditor?.document;
    if (this.lastError !== '') {
      this.showError();
      return;
    }
    if (!isCFamily(doc)) {
      this.status.hide();
      return;
    }
    const seq = ++this.statusSeq;
    let st: FileStatus | undefined;
    let failure = '';
    try {
      st = await this.fileStatus(doc);
    } catch (e) {
      failure = e instanceof Error ? e.message : String(e);
    }
    if (seq !== this.statusSeq) {
      return; // a newer update is in flight
    }
    this.status.backgroundColor = undefined;
    this.status.command = 'abi3ls.showMinimumTarget';
    if (st === undefined) {
      this.status.text = 'abi3ls';
      const running = this.client?.isRunning() ?? false;
      this.status.tooltip =
        failure !== '' ? `abi3ls: ${failure}` : running ? 'abi3ls: no status for this file yet' : 'abi3ls: starting';
    } else {
      this.status.text = statusText(st);
      this.status.tooltip = `${describe(st)}\n\nClick for details.`;
    }
    this.status.show();
  }

  async showMinimumTarget(): Promise<void> {
    const doc = vscode.window.activeTextEditor?.document;
    if (!isCFamily(doc)) {
      void vscode.window.showInformationMessage('abi3ls: open a C or C++ file first.');
      return;
    }
    try {
      const st = await this.fileStatus(doc);
      if (st === undefined) {
        void vscode.window.showWarningMessage(`abi3ls: the server is not running. ${this.lastError}`);
        return;
      }
      void vscode.window.showInformationMessage(`abi3ls: ${describe(st).replace(/\n/g, ' · ')}`);
      this.log(`${vscode.workspace.asRelativePath(doc.uri)}: ${describe(st).replace(/\n/g, '; ')}`);
    } catch (e) {
      void vscode.window.showErrorMessage(`abi3ls: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  async fixAllInFile(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (editor === undefined || !isCFamily(editor.document)) {
      void vscode.window.showInformationMessage('abi3ls: open a C or C++ file first.');
      return;
    }
    const doc = editor.document;
    const whole = new vscode.Range(0, 0, doc.lineCount, 0);
    const actions =
      (await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider',
        doc.uri,
        whole,
        FIX_ALL_KIND.value,
      )) ?? [];
    const fixAll = actions.filter((a) => a.kind !== undefined && FIX_ALL_KIND.contains(a.kind));
    if (fixAll.length === 0) {
      void vscode.window.showInformationMessage('abi3ls: nothing to fix automatically in this file.');
      return;
    }
    for (const a of fixAll) {
      if (a.edit !== undefined) {
        await vscode.workspace.applyEdit(a.edit);
      }
      if (a.command !== undefined) {
        await vscode.commands.executeCommand(a.command.command, ...(a.command.arguments ?? []));
      }
    }
  }

  /** Sends the current settings to the server (workspace/didChangeConfiguration). */
  async sendSettings(): Promise<void> {
    const client = this.client;
    if (client === undefined || !client.isRunning()) {
      return;
    }
    const settings = { [SECTION]: serverSettings(vscode.workspace.getConfiguration(SECTION)) };
    this.log(`didChangeConfiguration ${JSON.stringify(settings)}`);
    await client.sendNotification(DidChangeConfigurationNotification.type, { settings });
    this.scheduleStatus();
  }

  showOutput(): void {
    this.output.show(true);
  }

  dispose(): void {
    if (this.statusTimer !== undefined) {
      clearTimeout(this.statusTimer);
    }
    for (const d of this.disposables) {
      d.dispose();
    }
  }
}

let instance: Abi3ls | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const ext = new Abi3ls(context);
  instance = ext;
  context.subscriptions.push(
    ext,
    vscode.commands.registerCommand('abi3ls.restartServer', () => ext.restart()),
    vscode.commands.registerCommand('abi3ls.fixAllInFile', () => ext.fixAllInFile()),
    vscode.commands.registerCommand('abi3ls.showMinimumTarget', () => ext.showMinimumTarget()),
    vscode.commands.registerCommand('abi3ls.showOutput', () => ext.showOutput()),
    vscode.window.onDidChangeActiveTextEditor(() => ext.scheduleStatus()),
    vscode.languages.onDidChangeDiagnostics((e) => {
      const active = vscode.window.activeTextEditor?.document.uri.toString();
      if (active !== undefined && e.uris.some((u) => u.toString() === active)) {
        ext.scheduleStatus();
      }
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      // Server settings go out with didChangeConfiguration (the client library applies
      // abi3ls.trace.server itself); a new binary path needs a new process.
      if (e.affectsConfiguration('abi3ls.path')) {
        void ext.restart();
      } else if (e.affectsConfiguration(SECTION) && !e.affectsConfiguration('abi3ls.trace')) {
        void ext.sendSettings();
      }
    }),
  );
  await ext.start();
}

export async function deactivate(): Promise<void> {
  const ext = instance;
  instance = undefined;
  if (ext !== undefined) {
    await ext.stop();
  }
}
