; DebtorDesk for Windows: an Inno Setup 6 script around the PyInstaller one-folder build.
;
; installer/build.py runs it on Windows after PyInstaller, passing what it reads from pyproject.toml
; and installer/appinfo.py:
;   iscc /DAppVersion=0.1.0 /DAppVersionNumeric=0.1.0.0
;        /DOutputBase=debtordesk-0.1.0-windows-amd64-setup /DSourceDir=<checkout>\dist\DebtorDesk
;        /DOutputDir=<checkout>\dist /DRoot=<checkout> installer\windows\debtordesk.iss
; By hand, from the checkout after `python installer/build.py --bundle-only`:
;   iscc /DAppVersion=0.1.0 installer\windows\debtordesk.iss
;
; What it installs: dist\DebtorDesk\ whole (DebtorDesk.exe, the windowed app; debtordesk-cli.exe,
; its console twin for --version, --self-test and the sub-commands; _internal\) into
; "Program Files\DebtorDesk" (all users) or "%LOCALAPPDATA%\Programs\DebtorDesk" (just me, no
; administrator needed: the default), a Start-menu entry, optionally a desktop icon, and an
; uninstaller listed in Settings > Apps.
; What it never touches: the user's data. The database and letters live in
; %LOCALAPPDATA%\DebtorDesk, the settings in the registry (HKCU\Software\DebtorDesk); an upgrade
; (running a newer setup.exe) replaces the program folder only, and the uninstaller removes only what
; setup installed, then says where the data stayed.

#ifndef AppVersion
  #error Pass /DAppVersion=<the version in pyproject.toml> (installer/build.py does)
#endif
#ifndef AppVersionNumeric
  #define AppVersionNumeric AppVersion
#endif
#ifndef Root
  #define Root SourcePath + "..\.."
#endif
#ifndef SourceDir
  #define SourceDir Root + "\dist\DebtorDesk"
#endif
#ifndef OutputDir
  #define OutputDir Root + "\dist"
#endif
#ifndef OutputBase
  #define OutputBase "debtordesk-" + AppVersion + "-windows-setup"
#endif
; the windowed executable installer/debtordesk.spec makes (appinfo.EXE_GUI_WINDOWS); its console
; twin debtordesk-cli.exe (appinfo.EXE_CLI_WINDOWS) is installed beside it for terminals
#define GuiExe "DebtorDesk.exe"
#define AppName "DebtorDesk"
#define Publisher "DebtorDesk"
#define Homepage "https://debtordesk.github.io/"

[Setup]
; the installation's identity: never change it, or upgrades install a second copy
AppId={{864145CD-9575-5B06-AAD3-E78DBF029630}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#Publisher}
AppPublisherURL={#Homepage}
AppSupportURL={#Homepage}
AppCopyright=Copyright (C) 2026 {#Publisher}
VersionInfoVersion={#AppVersionNumeric}
VersionInfoProductName={#AppName}
VersionInfoDescription={#AppName} Setup
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; "just me" by default (no administrator); the dialog offers "all users"
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
SetupIconFile={#Root}\resources\icons\debtordesk.ico
UninstallDisplayIcon={app}\{#GuiExe}
UninstallDisplayName={#AppName}
OutputDir={#OutputDir}
OutputBaseFilename={#OutputBase}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; an upgrade while DebtorDesk runs: ask to close it first
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "german"; MessagesFile: "compiler:Languages\German.isl"

[CustomMessages]
english.DataKept=DebtorDesk has been removed. Your data was kept in %1 (delete that folder yourself if you no longer need it).
german.DataKept=DebtorDesk wurde entfernt. Ihre Daten sind weiter in %1 (löschen Sie den Ordner selbst, wenn Sie ihn nicht mehr brauchen).

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; an upgrade replaces the bundled libraries whole: nothing stale from the old version stays
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#GuiExe}"; Comment: "Who owes what, how late, and the letters that get you paid"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#GuiExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#GuiExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; files the app itself made inside the program folder (compiled migration scripts); never user data
Type: filesandordirs; Name: "{app}\_internal"

[Code]
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: String;
begin
  if (CurUninstallStep = usPostUninstall) and not UninstallSilent then
  begin
    DataDir := ExpandConstant('{localappdata}\{#AppName}');
    if DirExists(DataDir) then
      MsgBox(FmtMessage(CustomMessage('DataKept'), [DataDir]), mbInformation, MB_OK);
  end;
end;
