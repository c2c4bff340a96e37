-- A newsdesk database at schema version 4 on PostgreSQL, as newsdesk's create_all made it
-- (the tables of schema 4 compiled for PostgreSQL), with the rows of schema-v2.sql.
CREATE TABLE feed (
	id SERIAL NOT NULL, 
	url VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	active BOOLEAN NOT NULL, 
	title VARCHAR, 
	etag VARCHAR, 
	last_modified VARCHAR, 
	last_checked TIMESTAMP WITH TIME ZONE, 
	last_outcome VARCHAR, 
	last_error VARCHAR, 
	http_status INTEGER, 
	last_ok TIMESTAMP WITH TIME ZONE, 
	last_new INTEGER NOT NULL, 
	failures INTEGER NOT NULL, 
	next_try TIMESTAMP WITH TIME ZONE, 
	gone BOOLEAN NOT NULL, 
	moved_to VARCHAR, 
	PRIMARY KEY (id), 
	UNIQUE (url)
);
CREATE TABLE meta (
	key VARCHAR NOT NULL, 
	value VARCHAR NOT NULL, 
	PRIMARY KEY (key)
);
CREATE TABLE story (
	id SERIAL NOT NULL, 
	feed_id INTEGER NOT NULL, 
	key VARCHAR NOT NULL, 
	guid VARCHAR, 
	url VARCHAR, 
	title VARCHAR NOT NULL, 
	author VARCHAR, 
	published TIMESTAMP WITH TIME ZONE, 
	fetched_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	sort_time TIMESTAMP WITH TIME ZONE NOT NULL, 
	summary TEXT NOT NULL, 
	text TEXT NOT NULL, 
	text_source VARCHAR NOT NULL, 
	text_note VARCHAR, 
	matched BOOLEAN NOT NULL, 
	read BOOLEAN NOT NULL, 
	starred BOOLEAN NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (feed_id, key), 
	FOREIGN KEY(feed_id) REFERENCES feed (id) ON DELETE CASCADE
);
CREATE INDEX ix_story_unread_sort ON story (read, sort_time);
CREATE INDEX ix_story_matched_sort ON story (matched, sort_time);
CREATE INDEX ix_story_url ON story (url);
CREATE INDEX ix_story_feed_sort ON story (feed_id, sort_time);
CREATE INDEX ix_story_sort ON story (sort_time);
CREATE TABLE match (
	id SERIAL NOT NULL, 
	story_id INTEGER NOT NULL, 
	entity VARCHAR NOT NULL, 
	kind VARCHAR NOT NULL, 
	code VARCHAR, 
	count INTEGER NOT NULL, 
	snippet VARCHAR NOT NULL, 
	occurrences TEXT NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(story_id) REFERENCES story (id) ON DELETE CASCADE
);
CREATE INDEX ix_match_story_id ON match (story_id);
CREATE INDEX ix_match_entity_story ON match (entity, story_id);
CREATE TABLE story_page (
	story_id INTEGER NOT NULL, 
	html BYTEA NOT NULL, 
	fetched_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (story_id), 
	FOREIGN KEY(story_id) REFERENCES story (id) ON DELETE CASCADE
);
INSERT INTO feed VALUES(1,'http://127.0.0.1:9/world.xml','World desk',true,'World','"v1"',NULL,'2024-04-14 10:00:00+00','ok',NULL,200,'2024-04-14 10:00:00+00',2,1,'2024-04-14 11:00:00+00',false,NULL);
INSERT INTO story VALUES(1,1,'guid:a','a','http://127.0.0.1:9/a.html','Russia defends Iran''s attack on Israel','Staff','2024-04-14 09:00:00+00','2024-04-14 10:00:00+00','2024-04-14 09:00:00+00','summary','Vladimir Putin and Russian FM Sergei Lavrov met.','page',NULL,true,true,true);
INSERT INTO story VALUES(2,1,'guid:b','b','http://127.0.0.1:9/b.html','Weather',NULL,NULL,'2024-04-14 10:00:00+00','2024-04-14 10:00:00+00','','Rain today.','feed','the page could not be downloaded',false,false,false);
INSERT INTO match VALUES(1,1,'Russia','country','RU',1,'Russian FM','[["text", 19, 26, "Russian"]]');
INSERT INTO meta VALUES('schema_version','4');
INSERT INTO meta VALUES('watchlist_fingerprint','old');
SELECT setval(pg_get_serial_sequence('feed', 'id'), 1);
SELECT setval(pg_get_serial_sequence('story', 'id'), 2);
SELECT setval(pg_get_serial_sequence('match', 'id'), 1);
