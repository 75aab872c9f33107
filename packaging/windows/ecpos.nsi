; setup.exe for Windows tills (makensis, from packaging/windows/installer.py, which passes VERSION, SRC and OUT).
; SRC is the embedded-Python layout: python.exe with ecpos installed beside it, and ecpos.cmd. Silent install
; for IT: setup.exe /S [/D=C:\path]; silent removal: uninstall.exe /S. The journal (each user's
; %LOCALAPPDATA%\ecpos) is never removed: it is the till's record of settled money.
Unicode true
; a 64-bit installer for the 64-bit program (it also runs where Wine has no 32-bit side)
Target amd64-unicode
; zlib: lzma would make it a third smaller but takes 15+ minutes over the 560 MB layout on a 2-core builder
SetCompressor zlib
RequestExecutionLevel admin
Name "ecpos ${VERSION}"
OutFile "${OUT}"
InstallDir "$PROGRAMFILES64\ecpos"
InstallDirRegKey HKLM "Software\ecpos" "InstallDir"
BrandingText "ecpos ${VERSION} 医保码结算"

!define UNINST "Software\Microsoft\Windows\CurrentVersion\Uninstall\ecpos"
!define TASK "ecpos sync"

Page directory
Page instfiles
UninstPage uninstConfirm
UninstPage instfiles

Section "ecpos"
  SetShellVarContext all
  SetOutPath "$INSTDIR"
  File /r "${SRC}\*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateDirectory "$SMPROGRAMS\ecpos"
  CreateShortcut "$SMPROGRAMS\ecpos\医保码结算.lnk" "$INSTDIR\pythonw.exe" "-m ecpos app" "$INSTDIR\python.exe" 0
  CreateShortcut "$SMPROGRAMS\ecpos\自助缴费终端.lnk" "$INSTDIR\pythonw.exe" "-m ecpos app --profile kiosk" \
      "$INSTDIR\python.exe" 0
  CreateShortcut "$SMPROGRAMS\ecpos\卸载 ecpos.lnk" "$INSTDIR\uninstall.exe"

  ; Sync (queued refunds, unknown outcomes) every 10 minutes for whoever is signed in, as the app's own
  ; background sync does while it is open: a task for the Users group, so each cashier's journal is synced.
  FileOpen $0 "$INSTDIR\ecpos-sync-task.xml" w
  FileWriteUTF16LE /BOM $0 '<?xml version="1.0" encoding="UTF-16"?>$\r$\n'
  FileWriteUTF16LE $0 '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">$\r$\n'
  FileWriteUTF16LE $0 '<RegistrationInfo><Description>ecpos sync</Description></RegistrationInfo>$\r$\n'
  FileWriteUTF16LE $0 '<Triggers><TimeTrigger><StartBoundary>2020-01-01T00:00:00</StartBoundary>'
  FileWriteUTF16LE $0 '<Repetition><Interval>PT10M</Interval></Repetition></TimeTrigger></Triggers>$\r$\n'
  FileWriteUTF16LE $0 '<Principals><Principal id="Users"><GroupId>S-1-5-32-545</GroupId></Principal></Principals>$\r$\n'
  FileWriteUTF16LE $0 '<Settings><MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>'
  FileWriteUTF16LE $0 '<ExecutionTimeLimit>PT5M</ExecutionTimeLimit></Settings>$\r$\n'
  FileWriteUTF16LE $0 '<Actions Context="Users"><Exec><Command>$INSTDIR\pythonw.exe</Command>'
  FileWriteUTF16LE $0 '<Arguments>-m ecpos sync</Arguments></Exec></Actions>$\r$\n'
  FileWriteUTF16LE $0 '</Task>$\r$\n'
  FileClose $0
  nsExec::ExecToLog 'schtasks /Create /F /TN "${TASK}" /XML "$INSTDIR\ecpos-sync-task.xml"'

  WriteRegStr HKLM "Software\ecpos" "InstallDir" "$INSTDIR"
  WriteRegStr HKLM "${UNINST}" "DisplayName" "ecpos ${VERSION}（医保码结算）"
  WriteRegStr HKLM "${UNINST}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINST}" "Publisher" "ecpos"
  WriteRegStr HKLM "${UNINST}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINST}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINST}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINST}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINST}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  SetShellVarContext all
  nsExec::ExecToLog 'schtasks /Delete /F /TN "${TASK}"'
  RMDir /r "$SMPROGRAMS\ecpos"
  RMDir /r "$INSTDIR"
  DeleteRegKey HKLM "${UNINST}"
  DeleteRegKey HKLM "Software\ecpos"
SectionEnd
