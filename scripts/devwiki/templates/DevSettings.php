<?php
// Written by scripts/dev-wiki (from scripts/devwiki/templates/DevSettings.php): settings for a
// throwaway local test wiki, on top of install.php's LocalSettings.php.
$wgServer = 'http://127.0.0.1:@@port';
$wgCanonicalServer = $wgServer;

// Page translation as on Meta-Wiki. Translate needs ULS, so ULS loads first.
wfLoadExtension( 'UniversalLanguageSelector' );
wfLoadExtension( 'Translate' );
$wgEnablePageTranslation = true;
$wgTranslateDocumentationLanguageCode = 'qqq';
// Every user may translate; marking pages for translation (pagetranslation) belongs to
// the translationadmin group. BotPasswords with the editpage grant carry both.
$wgGroupPermissions['user']['translate'] = true;
$wgGroupPermissions['translationadmin']['pagetranslation'] = true;
$wgGroupPermissions['translationadmin']['translate-manage'] = true;
$wgAddGroups['bureaucrat'][] = 'translationadmin';
$wgRemoveGroups['bureaucrat'][] = 'translationadmin';
// Translate keeps its message index in the database (its default) and its caches in the
// object cache, which is SQLite here (the main cache is off): nothing to set up for them.
// ULS: no geolocation service and no web fonts (the vendored copy ships none).
$wgULSGeoService = false;
$wgULSWebfontsEnabled = false;

// Jobs (Translate's unit updates among them) never run during web requests: a test runs
// them with `dev-wiki run-jobs` when it wants them, so it can look at the time in between.
$wgJobRunRate = 0;

// No uploads and no mail: nothing leaves the state folder or the machine.
$wgEnableUploads = false;
$wgEnableEmail = false;
$wgEnableUserEmail = false;
$wgEmailAuthentication = false;
$wgEnotifUserTalk = false;
$wgEnotifWatchlist = false;

// Tests log in and edit many times a minute.
$wgRateLimits = [];
$wgPasswordAttemptThrottle = [];
$wgAccountCreationThrottle = 0;

// Sessions in the SQLite object cache (the main cache is off), temp files in the state dir.
$wgSessionCacheType = CACHE_DB;
$wgTmpDirectory = __DIR__ . '/tmp';

// Errors show up in API answers and in logs/ for whoever debugs a failing test.
$wgShowExceptionDetails = true;
$wgDebugLogGroups['exception'] = __DIR__ . '/logs/exception.log';
$wgDebugLogGroups['error'] = __DIR__ . '/logs/error.log';

// `dev-wiki readonly on` creates readonly.php; each request looks for it afresh, so
// tests can flip read-only mode without restarting the server.
if ( is_file( __DIR__ . '/readonly.php' ) ) {
	require __DIR__ . '/readonly.php';
}
