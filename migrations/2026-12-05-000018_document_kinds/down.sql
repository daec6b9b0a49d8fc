DELETE FROM disclosure_categories c
 WHERE c.document_kind IS NOT NULL AND c.standard
   AND NOT EXISTS (SELECT 1 FROM disclosure_items i WHERE i.category_id = c.id)
   AND NOT EXISTS (SELECT 1 FROM disclosure_versions v WHERE v.category_id = c.id)
   AND NOT EXISTS (SELECT 1 FROM disclosure_categories d WHERE d.parent_id = c.id);
ALTER TABLE disclosure_categories DROP COLUMN document_kind;
