"""wikitext"""
