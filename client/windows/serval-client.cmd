@echo off
rem SERVAL client for Windows, from the Windows zip (docs\windows.md in the source).
rem Needs administrator rights: the TAP-Windows6 device and netsh (the adapter's MTU) are for administrators.
rem Java: the zip's own runtime\ when it has one, else %JAVA_HOME%, else java on the PATH (21 or newer).
setlocal
set "HERE=%~dp0"
set "JAVA=%HERE%runtime\bin\java.exe"
if exist "%JAVA%" goto found
set "JAVA=java"
if not defined JAVA_HOME goto found
set "JAVA=%JAVA_HOME%\bin\java.exe"
:found
rem The control socket (serval-client status, join, ...) where Windows keeps service data, unless set.
if not defined SERVAL_CLIENT_SOCKET set "SERVAL_CLIENT_SOCKET=%ProgramData%\serval\control.sock"
rem SERVAL_CLIENT_JAVA_OPTS: extra JVM options (tuning, diagnostics)
"%JAVA%" %SERVAL_CLIENT_JAVA_OPTS% --enable-native-access=ALL-UNNAMED -Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.logFile=System.err -cp "%HERE%lib\*" org.serval.client.Main %*
exit /b %ERRORLEVEL%
