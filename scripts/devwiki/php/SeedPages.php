<?php
/**
 * `dev-wiki seed` and `seed-many` in one boot of MediaWiki (each boot costs about a second):
 * import an export file as importDump.php does, then do what the importer leaves undone.
 *
 * Its one argument is a JSON manifest written by scripts/devwiki/content.py:
 *   dump    the export file (XML, schema 0.11)
 *   titles  the pages in it
 *   recent  [from, to] windows (YYYYMMDDHHMMSS) around the imported revisions that are recent
 *           enough for recent changes; only those seconds are rebuilt, because a full rebuild
 *           would recompute the bot flag of every other recent edit from group membership and
 *           hide whether the bot really sent bot=1
 *
 * What the importer leaves undone: recent changes (it writes no rows), the site statistics,
 * and Translate's "ready" tag, which Translate adds on every save of a page with <translate>
 * markup (its PageSaveComplete hook, which the importer skips) and without which
 * action=markfortranslation refuses the page as tpt-notsuitable.
 */

use MediaWiki\Extension\Translate\PageTranslation\TranslatablePage;
use MediaWiki\Extension\Translate\Services;
use MediaWiki\Maintenance\Maintenance;
use MediaWiki\Revision\SlotRecord;
use MediaWiki\Title\Title;

class SeedPages extends Maintenance {
	public function __construct() {
		parent::__construct();
		$this->addDescription( 'Import pages and finish what the importer leaves undone' );
		$this->addArg( 'manifest', 'the JSON manifest' );
	}

	public function execute() {
		$manifest = json_decode( file_get_contents( $this->getArg( 0 ) ), true );
		$this->import( $manifest['dump'] );
		foreach ( $manifest['recent'] as [ $from, $to ] ) {
			$this->rebuildRecentChanges( $from, $to );
		}
		$stats = $this->createChild( InitSiteStats::class );
		$stats->setOption( 'update', true );
		$stats->execute();
		foreach ( $manifest['titles'] as $title ) {
			$this->tagTranslatable( $title );
		}
	}

	private function import( string $dump ): void {
		$reader = $this->createChild( BackupReader::class );
		$reader->setArg( 0, $dump );
		$reader->execute();
	}

	private function rebuildRecentChanges( string $from, string $to ): void {
		$rebuild = $this->createChild( RebuildRecentchanges::class );
		$rebuild->setOption( 'from', $from );
		$rebuild->setOption( 'to', $to );
		$rebuild->execute();
	}

	private function tagTranslatable( string $name ): void {
		$title = Title::newFromText( $name );
		$lookup = $this->getServiceContainer()->getRevisionLookup();
		$revision = $title ? $lookup->getRevisionByTitle( $title ) : null;
		if ( !$revision ) {
			$this->fatalError( "no such page: $name" );
		}
		$text = $revision->getContent( SlotRecord::MAIN )->getText();
		$parser = Services::getInstance()->getTranslatablePageParser();
		if ( $parser->containsMarkup( $text ) ) {
			TranslatablePage::newFromTitle( $title )->addReadyTag( $revision->getId() );
			$this->output( "ready for translation: revision {$revision->getId()}\n" );
		}
	}
}

$maintClass = SeedPages::class;
